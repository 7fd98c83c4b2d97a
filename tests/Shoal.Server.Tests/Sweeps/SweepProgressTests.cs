using System.Net.Http.Json;
using Shoal.Contracts;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Sweeps;

/// <summary>A sweep's progress tells the truth: "running" counts collectors running, never the hosts leased ahead of them.</summary>
public sealed class SweepProgressTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Running_NeverExceedsTheThreads_AndHostsLeasedAheadCountAsQueued()
    {
        await using var server = await TestServer.StartAsync();
        var hosts = string.Join(",", Enumerable.Range(0, 12).Select(i => $$"""{"host":"h{{i:00}}","prod":false}"""));
        var response = await server.Http.PostJsonAsync("/api/v1/sweeps", $$"""{"mode":"sweep","threads":2,"hosts":[{{hosts}}],"command":["/bin/sleep","0.4"]}""");
        response.EnsureSuccessStatusCode();
        var id = (await response.Content.ReadFromJsonAsync<SweepStarted>(ShoalJson.Options, Ct))!.Id!.Value;

        var seen = new List<SweepStatus>();
        SweepStatus status;
        do
        {
            status = (await server.Http.GetFromJsonAsync<SweepStatus>($"/api/v1/sweeps/{id}", ShoalJson.Options, Ct))!;
            seen.Add(status);
            var detailed = (await server.Http.GetFromJsonAsync<SweepStatus>($"/api/v1/sweeps/{id}?hosts=true", ShoalJson.Options, Ct))!;
            detailed.Hosts!.Count(h => h.Outcome == "running").ShouldBeLessThanOrEqualTo(2, "the host list too");
            await Task.Delay(50, Ct);
        }
        while (status.State is "queued" or "running");

        seen.ShouldAllBe(s => s.Running <= 2, "2 threads: at most 2 collectors run");
        seen.ShouldAllBe(s => s.Running + s.Queued + s.Success + s.Failed == 12);
        seen.ShouldContain(s => s.Running == 2, "both threads were seen busy");
        status.Success.ShouldBe(12);
    }
}
