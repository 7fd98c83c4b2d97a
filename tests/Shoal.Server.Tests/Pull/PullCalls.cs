using System.Net.Http.Json;
using System.Text;
using Shoal.Contracts;

namespace Shoal.Server.Tests.Pull;

/// <summary>The pull agent's REST calls, for tests.</summary>
internal static class PullCalls
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<IReadOnlyList<LeasedPartDto>> LeaseAsync(this HttpClient agent, string type, int max = 1, double wait = 0)
    {
        var response = await agent.PostAsJsonAsync("/api/v1/lease", new LeaseRequestDto([type], max, wait), ShoalJson.Options, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts;
    }

    public static Task<HttpResponseMessage> ReportAsync(this HttpClient agent, LeasedPartDto part, string status = "ok", string result = "null") =>
        agent.PostAsync(
            $"/api/v1/parts/{part.PartId}/complete",
            new StringContent($$"""{"lease_id":{{part.LeaseId}},"status":"{{status}}","result":{{result}}}""", Encoding.UTF8, "application/json"),
            Ct);

    public static async Task<CompleteResponse> ReportOkAsync(this HttpClient agent, LeasedPartDto part)
    {
        var response = await agent.ReportAsync(part);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CompleteResponse>(ShoalJson.Options, Ct))!;
    }

    public static async Task<HeartbeatResponse> HeartbeatAsync(this HttpClient agent, LeasedPartDto part)
    {
        var response = await agent.PostAsJsonAsync($"/api/v1/parts/{part.PartId}/heartbeat", new HeartbeatRequest(part.LeaseId), ShoalJson.Options, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<HeartbeatResponse>(ShoalJson.Options, Ct))!;
    }

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, string path, string json) =>
        client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), Ct);

    public static string PullConf(int lease = 60, string extra = "") => $"[default]\nkind = pull\nlease = {lease}\nmax = -1\n{extra}\n";
}
