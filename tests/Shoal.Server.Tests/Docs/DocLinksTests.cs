using System.Text.RegularExpressions;
using Shouldly;

namespace Shoal.Server.Tests.Docs;

/// <summary>Every picture and page README.md and docs/ point to is there (pictures as real PNG files).</summary>
public sealed partial class DocLinksTests
{
    [Fact]
    public void EveryLinkedPictureAndPage_Exists()
    {
        var pages = Directory.GetFiles(Path.Combine(TestServer.RepoRoot, "docs"), "*.md").Append(Path.Combine(TestServer.RepoRoot, "README.md"));
        var missing = new List<string>();
        var pictures = 0;
        foreach (var page in pages)
        {
            foreach (Match link in Link().Matches(File.ReadAllText(page)))
            {
                var target = link.Groups[2].Value.Split('#')[0];
                if (target.Length == 0 || target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                {
                    continue;
                }

                var path = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                if (!File.Exists(path) && !Directory.Exists(path))
                {
                    missing.Add($"{Path.GetFileName(page)}: {target}");
                }
                else if (link.Groups[1].Value == "!")
                {
                    pictures++;
                    File.ReadAllBytes(path).Take(8).ShouldBe(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, $"{target} is a PNG");
                }
            }
        }

        missing.ShouldBeEmpty();
        pictures.ShouldBeGreaterThanOrEqualTo(5, "docs/operations.md shows the dashboard");
    }

    [GeneratedRegex(@"(!?)\[[^\]]*\]\(([^)\s]+)\)")]
    private static partial Regex Link();
}
