using System.CommandLine.Invocation;
using Shoal.Cli.Commands;

var parsed = ShoalCommand.Build().Parse(args);
if (parsed.Action is ParseErrorAction errors)
{
    // A mistyped argument gets its one-line reason (and a typo's correction), not the whole help text after it.
    errors.ShowHelp = false;
}

return await parsed.InvokeAsync().ConfigureAwait(false);
