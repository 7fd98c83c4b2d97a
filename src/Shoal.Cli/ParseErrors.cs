using System.CommandLine;
using Shoal.Core;

namespace Shoal.Cli;

/// <summary>
/// A command line the parser refuses: one <c>shoal: reason</c> line per fault (an unknown word with the command or
/// option it most likely meant), then where the help is; exit status 2, as every usage error of the CLI.
/// </summary>
internal static class ParseErrors
{
    public const int ExitCode = 2;

    public static int Print(ParseResult parsed, TextWriter error)
    {
        var command = parsed.CommandResult.Command;
        var path = string.Join(' ', parsed.CommandResult.Command.Parents.OfType<Command>().Reverse().Select(c => c.Name).Append(command.Name));
        var options = command.Options.Concat(command.Parents.OfType<Command>().SelectMany(c => c.Options).Where(o => o.Recursive)).Where(o => !o.Hidden).ToList();
        var words = command.Subcommands.Select(c => c.Name).Concat(options.Select(o => o.Name)).Concat(options.SelectMany(o => o.Aliases)).ToList();

        // An option misspelt where an argument may stand is taken as the argument ("submit --chek f.json"): said as the typo it is.
        var unknown = parsed.Tokens.Where(t => t.Type == System.CommandLine.Parsing.TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal))
            .Select(t => t.Value).Concat(parsed.UnmatchedTokens).Distinct(StringComparer.Ordinal).ToList();
        foreach (var token in unknown)
        {
            var nearest = token.TrimStart('-').Length >= 3 ? Spelling.Nearest(token, words) : null;
            error.WriteLine($"shoal: '{token}' is not {(token.StartsWith('-') ? "an option" : "a command or argument")} of '{path}'" + (nearest is null ? "" : $" (did you mean '{nearest}'?)"));
        }

        // The parser's own sentence for a word said above, or for the command it then lacks, would say it twice.
        foreach (var message in parsed.Errors.Select(e => e.Message).Distinct(StringComparer.Ordinal)
            .Where(m => unknown.Count == 0 || !(m.StartsWith("Unrecognized", StringComparison.Ordinal) || m.StartsWith("Required command", StringComparison.Ordinal)
                || unknown.Any(t => m.Contains($"'{t}'", StringComparison.Ordinal)))))
        {
            error.WriteLine($"shoal: {message.TrimEnd()}");
        }

        error.WriteLine($"shoal: see '{path} --help'");
        return ExitCode;
    }
}
