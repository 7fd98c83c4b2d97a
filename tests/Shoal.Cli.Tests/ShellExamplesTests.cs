using System.Text;
using System.Text.RegularExpressions;
using Shoal.Cli.Commands;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// Every <c>shoal …</c> command in the <c>sh</c> and <c>console</c> examples of README.md and docs/ is parsed by the
/// CLI's own parser: a command, option or argument the CLI does not have (a renamed flag, a typo) fails here, not in
/// a newcomer's shell. What the commands then do is run by the walk-through tests (getting-started, operations).
/// </summary>
public sealed partial class ShellExamplesTests
{
    [Fact]
    public void EveryShoalCommandInTheDocs_ParsesWithTheCLIsOwnParser()
    {
        var pages = Directory.GetFiles(Path.Combine(ShoalProcess.RepoRoot, "docs"), "*.md").Append(Path.Combine(ShoalProcess.RepoRoot, "README.md")).Order(StringComparer.Ordinal);
        var checkedCount = 0;
        var problems = new List<string>();
        foreach (var page in pages)
        {
            foreach (var (line, words) in Commands(File.ReadAllText(page)))
            {
                checkedCount++;
                var errors = ShoalCommand.Build().Parse(words).Errors;
                if (errors.Count > 0)
                {
                    problems.Add($"{Path.GetFileName(page)}: `{line}`: {string.Join("; ", errors.Select(e => e.Message))}");
                }
            }
        }

        problems.ShouldBeEmpty();
        checkedCount.ShouldBeGreaterThan(60, "the docs' shoal commands were found");
    }

    [Theory]
    [InlineData("shoal status 7 --json   # a comment", "status|7|--json")]
    [InlineData("sudo -u shoal shoal token create --agent 'scan 1' > t", "token|create|--agent|scan 1")]
    [InlineData("PG=$(x) && shoal sweep --hosts h.csv --collector \"c {host}\" | jq .", "sweep|--hosts|h.csv|--collector|c {host}")]
    [InlineData("dotnet run --project src/Shoal.Cli -- quickstart", "quickstart")]
    [InlineData("shoal server --config shoal.conf >log 2>&1 &", "server|--config|shoal.conf")]
    public void TheExtraction_ReadsAShellLineAsTheShellWould(string line, string expected)
    {
        Commands($"```sh\n{line}\n```\n").Single().Words.ShouldBe(expected.Split('|'));
    }

    /// <summary>Each <c>shoal</c> invocation in the page's sh blocks and console <c>$ </c> lines, as the words the shell passes it.</summary>
    private static IEnumerable<(string Line, string[] Words)> Commands(string page)
    {
        foreach (Match block in ShellBlock().Matches(page))
        {
            var console = block.Groups["lang"].Value == "console";
            var joined = block.Groups["body"].Value.Replace("\\\n", " ", StringComparison.Ordinal);
            foreach (var raw in joined.Split('\n'))
            {
                if (console && !raw.StartsWith("$ ", StringComparison.Ordinal))
                {
                    continue;
                }

                var line = console ? raw[2..] : raw;
                foreach (var segment in Segments(Words(line)))
                {
                    var args = Invocation(segment);
                    if (args is { Length: > 0 })
                    {
                        yield return (line.Trim(), args);
                    }
                }
            }
        }
    }

    /// <summary>The words between the shell's operators (<c>&amp;&amp;</c>, <c>||</c>, <c>;</c>, <c>|</c>, <c>&amp;</c>), without redirections.</summary>
    private static IEnumerable<List<string>> Segments(List<string> words)
    {
        var segment = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            if (words[i] is "&&" or "||" or ";" or "|" or "&")
            {
                yield return segment;
                segment = [];
            }
            else if (words[i] is ">" or ">>" or "<" or "2>" or "&>")
            {
                i++; // and its file
            }
            else if (!words[i].StartsWith('>') && !words[i].StartsWith("2>", StringComparison.Ordinal))
            {
                segment.Add(words[i]);
            }
        }

        yield return segment;
    }

    /// <summary>The arguments <c>shoal</c> gets from a segment (after variable assignments, <c>sudo [-u USER]</c>, or <c>dotnet run --project src/Shoal.Cli --</c>); null when it runs something else.</summary>
    private static string[]? Invocation(List<string> segment)
    {
        var at = 0;
        while (at < segment.Count && AssignmentWord().IsMatch(segment[at]))
        {
            at++;
        }

        if (at < segment.Count && segment[at] == "sudo")
        {
            at++;
            while (at < segment.Count && segment[at].StartsWith('-'))
            {
                at += segment[at] == "-u" ? 2 : 1;
            }
        }

        if (at < segment.Count && segment[at] == "shoal")
        {
            return segment.Skip(at + 1).ToArray();
        }

        var dashes = segment.IndexOf("--");
        return at + 1 < segment.Count && segment[at] == "dotnet" && segment[at + 1] == "run" && dashes > 0 && segment.Contains("src/Shoal.Cli")
            ? segment.Skip(dashes + 1).ToArray()
            : null;
    }

    /// <summary>Words as sh splits them: single and double quotes, <c>#</c> comments, operators as words of their own.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c is '\'' or '"')
            {
                var end = line.IndexOf(c, i + 1);
                end = end < 0 ? line.Length : end;
                word.Append(line, i + 1, end - i - 1);
                i = end;
                inWord = true;
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else if (char.IsWhiteSpace(c) || c is ';' or '|' || (c == '&' && !(inWord && word[^1] == '>')))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }

                if (!char.IsWhiteSpace(c))
                {
                    var op = i + 1 < line.Length && line[i + 1] == c ? new string(c, 2) : c.ToString();
                    words.Add(op);
                    i += op.Length - 1;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*=")]
    private static partial Regex AssignmentWord();

    [GeneratedRegex("```(?<lang>sh|console|bash)\\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();
}
