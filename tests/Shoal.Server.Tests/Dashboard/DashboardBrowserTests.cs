using Microsoft.Playwright;
using Shoal.Server.Hosting;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Dashboard;

/// <summary>The dashboard in a real browser: live progress without reloading, signing in, pausing a running stream.</summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private Browser _browser = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _server = await TestServer.StartAsync(new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() });
        _browser = await Browser.LaunchAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Overview_LiveProgressToCompletion_ThenSignedInPause()
    {
        var url = _server.Http.BaseAddress!.ToString().TrimEnd('/');
        var page = await _browser.Chromium.NewPageAsync();
        await page.GotoAsync(url + "/");

        // Not public by default: nothing but the sign-in form until an admin signs in.
        await page.Locator("#signin").WaitForAsync();
        (await page.Locator("[data-testid=parts-done]").CountAsync()).ShouldBe(0);
        await page.FillAsync("#token", StateFiles.EnsureAdminToken(Path.Combine(_server.Dir, ".shoal")));
        await page.ClickAsync("#signin-button");
        await page.Locator("#signed").WaitForAsync();
        await page.Locator("[data-testid=parts-done]").WaitForAsync();
        var loadedAt = await page.EvaluateAsync<double>("() => window.shoalLoadedAt");

        // A stream of 20 parts, finished by a pull agent one part at a time while the page watches.
        var created = await _server.SubmitAsync("""{"name":"watched","jobs":[{"name":"unpack","type":"netscan","parts":["u"]},{"name":"scan","type":"netscan","depends_on":["unpack"],"parts":["a","b","c","d","e","f","g","h","i","j","k","l","m","n","o","p","q","r","s"]}]}""");
        await page.EvaluateAsync($"() => {{ location.hash = '#/streams/{created.Id}'; }}");
        await page.Locator("[data-testid=stream-progress]").WaitForAsync();
        await page.Locator("[data-testid=dag] [data-job=scan]").WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "stream-start.png"), FullPage = true });

        var (agent, _) = await _server.AgentClientAsync("watcher");
        var seen = new List<string>();
        for (var done = 0; done < 20; done++)
        {
            var part = (await agent.LeaseAsync("netscan", wait: 5)).Single();
            await agent.ReportOkAsync(part);
            await Task.Delay(150, Ct);
            seen.Add(await page.Locator("[data-testid=stream-progress]").GetAttributeAsync("data-percent") ?? "");
        }

        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=stream-progress]')?.dataset.percent === '100'", null, new() { Timeout = 15_000 });
        await page.Locator("[data-testid=stream-state] [data-state=completed]").WaitForAsync(new() { Timeout = 15_000 });
        seen.Distinct().Count().ShouldBeGreaterThan(3, "the bar moved while the parts completed: " + string.Join(",", seen));
        (await page.EvaluateAsync<double>("() => window.shoalLoadedAt")).ShouldBe(loadedAt, "the page was never reloaded");
        (await page.Locator("[data-testid=dag] [data-job=scan]").GetAttributeAsync("data-state")).ShouldBe("completed");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "stream.png"), FullPage = true });

        await page.EvaluateAsync("() => { location.hash = '#/'; }");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=parts-done]')?.textContent === '20'", null, new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "overview.png"), FullPage = true });

        // A running stream, paused from its page.
        var running = await _server.SubmitAsync("""{"name":"to-pause","jobs":[{"name":"scan","type":"netscan","parts":["a","b","c"]}]}""");
        (await agent.LeaseAsync("netscan")).Count.ShouldBe(1);
        await page.EvaluateAsync($"() => {{ location.hash = '#/streams/{running.Id}'; }}");
        await page.Locator("[data-testid=stream-state] [data-state=running]").WaitForAsync(new() { Timeout = 15_000 });
        await page.ClickAsync("[data-action=pause]");
        await page.Locator("[data-testid=stream-state] [data-state=paused]").WaitForAsync(new() { Timeout = 15_000 });
        (await _server.StreamAsync(running.Id)).State.ShouldBe("paused");
        (await page.EvaluateAsync<double>("() => window.shoalLoadedAt")).ShouldBe(loadedAt);
    }
}
