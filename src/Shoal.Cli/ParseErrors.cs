using System.CommandLine;
using Shoal.Core;

namespace Shoal.Cli;

/// <summary>
/// A command line the parser refuses: one <c>shoal: reason</c> line per fault (an unknown word with the command or
/// option it most likely meant), then where the help is; exit status 2, as every usage error of the CLI.
/// </summary>
internal static partial class ParseErrors
{
    public const int ExitCode = 2;

    public static int Print(ParseResult parsed, TextWriter error)
    {
        var command = parsed.CommandResult.Command;
        var lineage = Lineage(command);
        var path = string.Join(' ', lineage.Select(c => c.Name));
        var options = command.Options.Concat(lineage.SelectMany(c => c.Options).Where(o => o.Recursive)).Where(o => !o.Hidden).Distinct().ToList();
        var optionWords = options.Select(o => o.Name).Concat(options.SelectMany(o => o.Aliases)).ToList();

        // An option misspelt where an argument may stand is taken as the argument ("submit --chek f.json"): said as the typo it is.
        var unknown = parsed.Tokens.Where(t => t.Type == System.CommandLine.Parsing.TokenType.Argument && t.Value.StartsWith("--", StringComparison.Ordinal))
            .Select(t => t.Value).Concat(parsed.UnmatchedTokens).Distinct(StringComparer.Ordinal).ToList();
        var said = new List<string>();
        for (var i = 0; i < unknown.Count; i++)
        {
            var token = unknown[i];
            var option = token.StartsWith('-');
            var nearest = token.TrimStart('-').Length >= 3 ? Spelling.Nearest(token, option ? optionWords : command.Subcommands.Select(c => c.Name)) : null;
            error.WriteLine($"shoal: '{token}' is not {(option ? "an option" : "a command or argument")} of '{path}'" + (nearest is null ? "" : $" (did you mean '{nearest}'?)"));
            said.Add(token);

            // The word after an unknown option is most likely its value ("--stat running"), not a fault of its own.
            if (option && i + 1 < unknown.Count && !unknown[i + 1].StartsWith('-'))
            {
                said.Add(unknown[++i]);
            }
        }

        // The parser's own sentence for a word said above, or for the command it then lacks, would say it twice.
        foreach (var message in parsed.Errors.Select(e => Plain(e.Message)).Distinct(StringComparer.Ordinal)
            .Where(m => said.Count == 0 || !(m.StartsWith("Unrecognized", StringComparison.Ordinal) || m.StartsWith("Required command", StringComparison.Ordinal)
                || said.Any(t => m.Contains($"'{t}'", StringComparison.Ordinal)))))
        {
            error.WriteLine($"shoal: {message.TrimEnd()}");
        }

        error.WriteLine($"shoal: see '{path} --help'");
        return ExitCode;
    }

    /// <summary>The command and its parents up to the root (<c>shoal token create</c>), root first.</summary>
    private static List<Command> Lineage(Command command)
    {
        var chain = new List<Command>();
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            chain.Add(c);
        }

        chain.Reverse();
        return chain;
    }

    /// <summary>A value of the wrong type, in words (.NET names its type: <c>System.Nullable`1[System.Int32]</c>).</summary>
    private static string Plain(string message) =>
        TypeMismatch().Match(message) is { Success: true } m
            ? $"{m.Groups["option"].Value} takes {Kind(m.Groups["type"].Value)}, got '{m.Groups["value"].Value}'"
            : message;

    private static string Kind(string type) => type switch
    {
        _ when type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) => "a whole number",
        _ when type.Contains("Double", StringComparison.Ordinal) || type.Contains("TimeSpan", StringComparison.Ordinal) => "a number",
        _ when type.Contains("Boolean", StringComparison.Ordinal) => "true or false",
        _ => "another kind of value",
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$")]
    private static partial System.Text.RegularExpressions.Regex TypeMismatch();
}
