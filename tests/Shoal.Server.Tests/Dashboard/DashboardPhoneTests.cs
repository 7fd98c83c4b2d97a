using Microsoft.Playwright;
using Shoal.Server.Hosting;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Dashboard;

/// <summary>
/// The dashboard on a phone-sized screen, with what operators meet in production: a stuck stream, a part waiting to
/// retry, a failed part with a 10,000-character payload, a stream name carrying a right-to-left override, and counts in thousands.
/// </summary>
public sealed class DashboardPhoneTests
{
    [Fact]
    public async Task StuckRetryingAndHostileText_AreShownAsText_AndNoPageIsWiderThanAPhone()
    {
        await using var server = await TestServer.StartAsync(
            new Dictionary<string, string>
            {
                ["netscan"] = PullCalls.PullConf(extra: "retries = 0"),
                ["flaky"] = PullCalls.PullConf(extra: "retry_delay = 600"),
            },
            extraScheduler: "stuck_seconds = 1\ntick_seconds = 0.2");
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.Chromium.NewPageAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, IsMobile = true });
        var errors = Browser.Errors(page);

        // A stream's name may not hold a direction override (the submit refuses it); what an agent or a payload says may.
        var longPayload = "host-\\u202Egnp.exe-" + new string('x', 10_000);
        var hostile = await server.SubmitAsync($$"""
            {"name":"invoice","jobs":[
              {"name":"long","type":"netscan","parts":["{{longPayload}}"]},
              {"name":"again","type":"flaky","parts":["10.0.0.9"]}]}
            """);
        var parts = string.Join(",", Enumerable.Range(0, 1500).Select(i => $"\"p{i}\""));
        await server.SubmitAsync($$"""{"name":"big","jobs":[{"name":"many","type":"flaky","parts":[{{parts}}]}]}""");
        var stuck = await server.SubmitAsync("""{"name":"edge","jobs":[{"name":"dmz","type":"netscan","requires_tags":["dmz"],"parts":["192.0.2.1"]}]}""");
        var (agent, _) = await server.AgentClientAsync("plain");
        var failing = (await agent.LeaseAsync("netscan", wait: 5)).Single(p => p.JobId == hostile.Jobs["long"]);
        (await agent.ReportAsync(failing, "failed")).EnsureSuccessStatusCode();
        var flaky = (await agent.LeaseAsync("flaky", wait: 5)).Single();
        (await agent.ReportAsync(flaky, "failed")).EnsureSuccessStatusCode();
        await Poll.UntilAsync(() => server.StreamAsync(stuck.Id), s => s.Stuck is not null, 20);

        await page.GotoAsync(server.Http.BaseAddress!.ToString());
        await page.FillAsync("#token", StateFiles.EnsureAdminToken(Path.Combine(server.Dir, ".shoal")));
        await page.ClickAsync("#signin-button");
        await page.Locator("#signed").WaitForAsync();
        await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=streams-stuck]')?.textContent === '1'", null, new() { Timeout = 15_000 });
        (await page.Locator("[data-testid=parts-ready]").InnerTextAsync()).ShouldBe("1,501", "1,500 of big and the stuck one, with a thousands separator");
        var failedPerMinute = await page.EvaluateAsync<int[]>("() => [...document.querySelectorAll('[data-testid=history] g')].map(g => +g.dataset.failed)");
        failedPerMinute.Sum().ShouldBe(1, "the history has the part that failed for good, in its minute");
        await NotWiderThanTheScreen(page, "overview");

        await page.ClickAsync("a.card[href='#/streams?stuck=1']");
        await page.Locator("[data-testid=stuck]").First.WaitForAsync(new() { Timeout = 15_000 });
        (await page.Locator("[data-testid=stuck]").AllInnerTextsAsync()).ShouldBe(["stuck: job 'dmz' needs an agent with tags dmz: no live agent of type 'netscan' has them"]);
        await NotWiderThanTheScreen(page, "stuck list");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "phone-stuck.png"), FullPage = true });

        await page.EvaluateAsync($"() => {{ location.hash = '#/streams/{hostile.Id}'; }}");
        await page.Locator("[data-testid=failed-part]").First.WaitForAsync(new() { Timeout = 15_000 });
        var view = await page.Locator("#view").InnerTextAsync();
        view.ShouldContain("host-\\u202egnp.exe", Case.Sensitive, "the override is shown as an escape");
        view.ShouldNotContain("\u202E");
        (await page.Locator("[data-testid=failed-part] div").First.InnerTextAsync()).Length.ShouldBeLessThan(400, "a 10,000-character payload is cut in the list");
        (await page.Locator("[data-testid=retrying-again]").InnerTextAsync()).ShouldBe("+1 retrying");
        (await page.Locator("[data-action=force-long]").CountAsync()).ShouldBe(0, "the failed job (ended) offers no force");
        await NotWiderThanTheScreen(page, "stream page");

        // The job pages: why (a part waiting to retry), and a failed part with what it said.
        await page.ClickAsync("[data-job=again] a");
        await page.Locator("[data-testid=why] li").First.WaitForAsync(new() { Timeout = 15_000 });
        (await page.Locator("[data-testid=why] li").AllInnerTextsAsync()).ShouldHaveSingleItem().ShouldStartWith($"retrying part {flaky.PartId} '10.0.0.9' (attempt 2) at ");
        (await page.Locator("[data-action=force]").CountAsync()).ShouldBe(1, "a running job may be forced");
        await NotWiderThanTheScreen(page, "job page");
        await page.EvaluateAsync($"() => {{ location.hash = '#/jobs/{hostile.Jobs["long"]}'; }}");
        await page.Locator("[data-testid=job-failed]").WaitForAsync(new() { Timeout = 15_000 });
        var row = await page.Locator("[data-testid=job-failed] tr").Nth(1).InnerTextAsync();
        row.ShouldContain("gnp.exe-xxx");
        row.Length.ShouldBeLessThan(400);
        (await page.Locator("[data-action=requeue]").CountAsync()).ShouldBe(1);
        (await page.Locator("[data-action=force]").CountAsync()).ShouldBe(0, "an ended job is not forced");
        await NotWiderThanTheScreen(page, "job page with a failed part");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "phone-job.png"), FullPage = true });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Browser.Artefacts, "phone-stream.png"), FullPage = true });
        errors.ShouldBeEmpty();
    }

    private static async Task NotWiderThanTheScreen(IPage page, string what)
    {
        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        widths[0].ShouldBeLessThanOrEqualTo(widths[1], $"the {what} scrolls sideways on a phone");
    }
}
