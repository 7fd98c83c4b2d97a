using System.Net;
using System.Text;
using FsCheck.Xunit;
using Shoal.Server.Tests.Pull;
using Shouldly;

namespace Shoal.Server.Tests.Fuzz;

/// <summary>
/// Random and mutated JSON bodies against every endpoint that reads one: the answer is always a precise refusal
/// (400/403/404/409/413) or a success, never a 500, and the server keeps answering.
/// </summary>
public sealed class RestBodyProperties : IAsyncLifetime
{
    private static readonly (string Path, string Seed)[] Endpoints =
    [
        ("/api/v1/streams", """{"name":"s","jobs":[{"name":"a","type":"netscan","parts":["x",{"k":1}]},{"name":"b","type":"netscan","depends_on":["a"],"generate":{"from":"a"}}]}"""),
        ("/api/v1/lease", """{"types":["netscan"],"max":2,"wait_seconds":0}"""),
        ("/api/v1/parts/1/complete", """{"lease_id":1,"status":"ok","result":{"items":["a"]},"log":"x"}"""),
        ("/api/v1/parts/1/heartbeat", """{"lease_id":1}"""),
        ("/api/v1/reports", """{"reports":[{"part_id":1,"lease_id":1,"status":"failed","log":"x"}]}"""),
        ("/api/v1/tokens", """{"role":"agent","name":"n","tags":["a"]}"""),
        ("/api/v1/schedules", """{"name":"n","cron":"0 2 * * *","time_zone":"UTC","stream":{"name":"s","jobs":[{"name":"a","type":"netscan","parts":["x"]}]}}"""),
        ("/api/v1/sweeps", """{"hosts_csv":"host,env\nh1,prod\n","collector":"true","threads":2,"time_limit_seconds":60}"""),
        ("/api/v1/jobs/1/priority", """{"priority":3}"""),
        ("/api/v1/verbose", """{"level":3}"""),
        ("/api/v1/hosts/h1/checkin", """{"payload":"x"}"""),
        ("/dashboard/login", """{"token":"nope"}"""),
    ];

    private TestServer _server = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _server = await TestServer.StartAsync(
        new Dictionary<string, string> { ["netscan"] = PullCalls.PullConf() }, extraScheduler: "max_body_bytes = 8192");

    public async ValueTask DisposeAsync() => await _server.DisposeAsync();

    [Property(MaxTest = 120)]
    public void MutatedBodies_AreRefusedPrecisely_NeverA500(int pick, int[]? edits, string? raw)
    {
        var (path, seed) = Endpoints[(int)((uint)pick % Endpoints.Length)];
        foreach (var body in new[] { Core.Tests.Fuzz.Mutations.Apply(seed, edits), raw ?? "" })
        {
            using var response = _server.Http.PostAsync(path, new StringContent(body, Encoding.UTF8, "application/json"), Ct).GetAwaiter().GetResult();
            var text = response.Content.ReadAsStringAsync(Ct).GetAwaiter().GetResult();
            ((int)response.StatusCode).ShouldBeOneOf([200, 201, 400, 401, 403, 404, 409, 413], $"{path} {body} -> {text}");
            if ((int)response.StatusCode >= 400)
            {
                text.ShouldContain("\"detail\"", Case.Sensitive, $"{path}: a refusal says why");
            }
        }

        _server.Http.GetAsync("/health", Ct).GetAwaiter().GetResult().StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
