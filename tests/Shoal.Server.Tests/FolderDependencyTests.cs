using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Server.Tests;

/// <summary>The server's folders depend on each other without a cycle, and docs/architecture.md names files that exist.</summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Repo = FindRepo();

    private static string Server => Path.Combine(Repo, "src", "Shoal.Server");

    [Fact]
    public void TheServersFolders_DependOnEachOtherWithoutACycle()
    {
        var folders = Directory.GetDirectories(Server).Select(Path.GetFileName).Where(d => d is not ("bin" or "obj") && Directory.GetFiles(Path.Combine(Server, d!), "*.cs").Length > 0).Select(d => d!).ToList();
        folders.Count.ShouldBeGreaterThan(10);
        var names = string.Join('|', folders);
        var graph = folders.ToDictionary(f => f, f => Directory.GetFiles(Path.Combine(Server, f), "*.cs")
            .Select(File.ReadAllText)
            .Select(text => LogCategory().Replace(text, ""))
            .SelectMany(text => UsingOf().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(Regex.Matches(text, $@"(?<![.\w])({names})\.[A-Z]\w+").Select(m => m.Groups[1].Value)))
            .Where(d => d != f && folders.Contains(d))
            .ToHashSet());

        var cycles = new List<string>();
        var done = new HashSet<string>();
        void Visit(string folder, List<string> path)
        {
            if (path.Contains(folder))
            {
                cycles.Add(string.Join(" -> ", path.Skip(path.IndexOf(folder)).Append(folder)));
                return;
            }

            if (!done.Add(folder))
            {
                return;
            }

            foreach (var next in graph[folder])
            {
                Visit(next, [.. path, folder]);
            }
        }

        foreach (var folder in folders)
        {
            Visit(folder, []);
        }

        cycles.ShouldBeEmpty();
    }

    [Fact]
    public void TheArchitecturePage_NamesOnlyFilesThatExist()
    {
        var page = File.ReadAllText(Path.Combine(Repo, "docs", "architecture.md"));
        var named = SourcePath().Matches(page).Select(m => m.Groups[1].Value).Distinct().ToList();
        named.Count.ShouldBeGreaterThan(15);
        var sources = Directory.GetFiles(Path.Combine(Repo, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .ToList();
        // "Broker/WorkBroker.cs" is a server folder's file; "Core/Streams/X.cs", "Agent/X.cs", "Storage/X/Y.cs" name a project's.
        bool Exists(string n) =>
            sources.Any(f => f.EndsWith("/" + n, StringComparison.Ordinal))
            || File.Exists(Path.Combine(Repo, "src", "Shoal." + n.Split('/')[0], string.Join('/', n.Split('/').Skip(1))));
        named.Where(n => !Exists(n))
            .ShouldBeEmpty("every file docs/architecture.md names is in src/");
    }

    private static string FindRepo()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (Directory.Exists(Path.Combine(dir.FullName, "docs")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no repository above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"StartsWith\(""Shoal[^""]*""")]
    private static partial Regex LogCategory();

    [GeneratedRegex(@"using Shoal\.Server\.(\w+);")]
    private static partial Regex UsingOf();

    [GeneratedRegex(@"`((?:[A-Z]\w+/)+\w+(?:\.\w+)*\.cs)`")]
    private static partial Regex SourcePath();
}
