using Shoal.Cli;
using Shoal.Cli.Commands;

var parsed = ShoalCommand.Build().Parse(args.Length == 0 ? ["--help"] : args);
if (parsed.Errors.Count > 0)
{
    // A mistyped command line gets its reasons, one line each, not the whole help text after them.
    return ParseErrors.Print(parsed, Console.Error);
}

var status = await parsed.InvokeAsync().ConfigureAwait(false);
return args.Length == 0 ? ParseErrors.ExitCode : status;
