using System.Net.Http.Json;
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

    [Fact]
    public async Task FailedParts_AndAFinishedSweepsFailedProductionHosts_ShowAsText_WithoutScriptErrors()
    {
        var url = _server.Http.BaseAddress!.ToString().TrimEnd('/');
        var page = await _browser.Chromium.NewPageAsync();
        var errors = Browser.Errors(page);
        await page.GotoAsync(url + "/");
        await page.FillAsync("#token", StateFiles.EnsureAdminToken(Path.Combine(_server.Dir, ".shoal")));
        await page.ClickAsync("#signin-button");
        await page.Locator("#signed").WaitForAsync();

        // A part that fails every try, until it has failed for good.
        var created = await _server.SubmitAsync("""{"name":"broken","jobs":[{"name":"net","type":"netscan","parts":["10.0.0.7"]}]}""");
        var (agent, _) = await _server.AgentClientAsync("failing");
        while ((await _server.StreamAsync(created.Id)).Jobs[0].Parts.Failed == 0)
        {
            var part = (await agent.LeaseAsync("netscan", wait: 5)).Single();
            (await agent.ReportAsync(part, "failed", "{\"error\":\"Connection refused\"}")).EnsureSuccessStatusCode();
        }

        await page.EvaluateAsync($"() => {{ location.hash = '#/streams/{created.Id}'; }}");
        var failed = page.Locator("[data-testid=failed-part]");
        await failed.First.WaitForAsync(new() { Timeout = 15_000 });
        (await failed.First.InnerTextAsync()).ShouldContain("10.0.0.7");
        (await page.Locator("#view").InnerTextAsync()).ShouldNotContain("[object", Case.Sensitive, "elements are shown, never their names");
        await page.Locator("[data-action=requeue]").WaitForAsync(new() { Timeout = 15_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "stream-failed.png"), FullPage = true });

        // Requeued from its page: the stream re-opens and the part can be leased again, with fresh tries.
        // (A pull type goes on past a failed part: its job and stream completed, with one part failed.)
        await page.Locator("[data-testid=stream-state] [data-state=completed]").WaitForAsync(new() { Timeout = 15_000 });
        var badge = page.Locator("[data-testid=stream-state] [data-state=completed]");
        (await badge.InnerTextAsync()).ShouldBe("completed, 1 failed", "a stream that completed past a failed part is not a clean success");
        (await badge.GetAttributeAsync("class")).ShouldBe("state partial");
        (await page.Locator("[data-job=net] [data-state=completed]").InnerTextAsync()).ShouldBe("completed, 1 failed");
        (await page.Locator("[data-action=pause], [data-action=cancel]").CountAsync()).ShouldBe(0, "an ended stream is not paused or cancelled");
        await page.ClickAsync("[data-action=requeue]");
        await page.Locator("[data-testid=stream-state] [data-state=queued]").WaitForAsync(new() { Timeout = 15_000 });
        var again = (await agent.LeaseAsync("netscan", wait: 5)).Single();
        again.Attempt.ShouldBe(1);
        await agent.ReportOkAsync(again);
        (await _server.WaitEndAsync(created.Id)).State.ShouldBe("completed");

        // A sweep over two production hosts and a test host, two of which fail (one production).
        var sweep = await _server.Http.PostJsonAsync("/api/v1/sweeps", """
            {"mode":"sweep","hosts":[{"host":"bad-p1","prod":true},{"host":"good-p2","prod":true},{"host":"bad-t1","prod":false}],
             "command":["/bin/sh","-c","case \"$0\" in bad*) echo refused >&2; exit 3;; esac","{host}"]}
            """);
        sweep.EnsureSuccessStatusCode();
        var started = (await sweep.Content.ReadFromJsonAsync<Shoal.Contracts.SweepStarted>(Shoal.Contracts.ShoalJson.Options, Ct))!;
        (await _server.WaitEndAsync(started.Id!.Value)).State.ShouldBe("completed", "some hosts succeeded");
        await page.EvaluateAsync("() => { location.hash = '#/sweeps'; }");
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=sweep-failed-production]')?.textContent === '1'", null, new() { Timeout = 15_000 });
        (await page.Locator("[data-testid=sweep-failed]").InnerTextAsync()).ShouldBe("2");
        var view = await page.Locator("#view").InnerTextAsync();
        view.ShouldContain("bad-p1, bad-t1");
        view.ShouldNotContain("is not a function");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "sweep-failed.png"), FullPage = true });
        errors.ShouldBeEmpty();
    }
}
