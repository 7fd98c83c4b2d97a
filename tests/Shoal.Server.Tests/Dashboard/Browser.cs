using Microsoft.Playwright;

namespace Shoal.Server.Tests.Dashboard;

/// <summary>Debian's Chromium (<c>/usr/bin/chromium</c>, installed by <c>.ci/run</c>) driven by Playwright, headless; never a downloaded browser.</summary>
internal sealed class Browser : IAsyncDisposable
{
    private Browser(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Chromium = browser;
    }

    public const string Executable = "/usr/bin/chromium";

    public IPlaywright Playwright { get; }

    public IBrowser Chromium { get; }

    /// <summary>Where the tests save screenshots (kept with the test results).</summary>
    public static string Artefacts { get; } = Directory.CreateDirectory(Path.Combine(TestServer.RepoRoot, "TestResults", "screenshots")).FullName;

    /// <summary>What goes wrong on <paramref name="page"/> from now on: script errors, console errors, and answers of 400 or more.</summary>
    public static List<string> Errors(IPage page)
    {
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        page.Console += (_, m) =>
        {
            // A failed resource shows up again as its response, with its address.
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(m.Text);
            }
        };
        page.Response += (_, r) =>
        {
            if (r.Status >= 400)
            {
                errors.Add($"{r.Status} {r.Url}");
            }
        };
        return errors;
    }

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: apt-get install chromium (.ci/run does)");
        }

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Executable,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking", "--no-first-run"],
        });
        return new Browser(playwright, browser);
    }

    public async ValueTask DisposeAsync()
    {
        await Chromium.DisposeAsync();
        Playwright.Dispose();
    }
}
