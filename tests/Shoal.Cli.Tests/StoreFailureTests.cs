using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>
/// A real <c>shoal server</c> whose state folder is on a small tmpfs that fills up: writes get a 503 with the cause,
/// <c>/health</c> and the metrics say the store is degraded while reads keep working, the server recovers by itself
/// when space comes back, and a restart on a full disk exits non-zero with the reason.
/// </summary>
public sealed class StoreFailureTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FullDisk_Writes503WithTheCause_HealthDegraded_ReadsServed_RecoversWhenFreed_AndARestartFailsLoudly()
    {
        Environment.UserName.ShouldBe("root", "this test mounts a tmpfs (CI runs as root)");
        var dir = Directory.CreateTempSubdirectory("shoal-full-").FullName;
        var state = Path.Combine(dir, "state");
        Directory.CreateDirectory(state);
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "noop.conf"), "[default]\nkind = pull\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\naddress = 127.0.0.1\nport = 0\ncommand_port = 0\ntick_seconds = 0.2\n[DIRECTORIES]\nstate = state\n", Ct);
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", state);
        var filler = Path.Combine(state, "filler");
        try
        {
            await using (var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf"))
            {
                using var http = await ConnectAsync(state, server);
                (await SubmitAsync(http, 1)).StatusCode.ShouldBe(HttpStatusCode.Created);

                Fill(filler);
                var refused = await SubmitAsync(http, 5000);
                refused.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
                (await refused.Content.ReadAsStringAsync(Ct)).ShouldContain("the store cannot write: SQLite error 13: 'database or disk is full'");

                var health = await http.GetAsync("/health", Ct);
                health.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
                var body = (await health.Content.ReadFromJsonAsync<HealthResponse>(ShoalJson.Options, Ct))!;
                body.Status.ShouldBe("degraded");
                body.Store.ShouldContain("database or disk is full");
                Prometheus.Plain(await http.GetStringAsync("/metrics", Ct)).ShouldContain("shoal_store_up 0");
                var streams = await http.GetFromJsonAsync<List<StreamSummaryDto>>("/api/v1/streams", ShoalJson.Options, Ct);
                streams.ShouldNotBeNull().Count.ShouldBe(1, "reads are still served");

                // Space comes back: the server's own next write (it records itself every second) clears the state.
                File.Delete(filler);
                await Poll.UntilAsync(async () => (await http.GetAsync("/health", Ct)).StatusCode == HttpStatusCode.OK, 30);
                (await SubmitAsync(http, 5000)).StatusCode.ShouldBe(HttpStatusCode.Created);
                Prometheus.Plain(await http.GetStringAsync("/metrics", Ct)).ShouldContain("shoal_store_up 1");

                server.Signal("TERM");
                await server.Process.WaitForExitAsync(Ct);
                server.Process.ExitCode.ShouldBe(0, server.Stderr);
            }

            // A restart on a full disk: not a clean stop.
            Fill(filler);
            File.Delete(Path.Combine(state, "server.url"));
            var clock = Stopwatch.StartNew();
            var restart = await ShoalProcess.RunAsync(dir, "server", "--config", "shoal.conf");
            restart.Code.ShouldBe(1, restart.Stderr);
            var reason = restart.Stderr.Split('\n').LastOrDefault(l => l.StartsWith("shoal server: stopped: ", StringComparison.Ordinal));
            reason.ShouldNotBeNull(restart.Stderr[^Math.Min(2000, restart.Stderr.Length)..]);
            reason.ShouldMatch("No space left on device|database or disk is full", "the reason names the full disk");
            clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(20), "it does not wait out the shutdown grace");
        }
        finally
        {
            Run("umount", "-l", state);
        }
    }

    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.Append, FileAccess.Write);
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                file.Write(block);
                file.Flush();
            }
        }
        catch (IOException)
        {
            // The disk is full.
        }
    }

    private static void Run(string command, params string[] args)
    {
        var psi = new ProcessStartInfo(command) { RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        p.ExitCode.ShouldBe(0, $"{command} {string.Join(' ', args)}: {error}");
    }

    private static async Task<HttpResponseMessage> SubmitAsync(HttpClient http, int parts)
    {
        var json = JsonSerializer.Serialize(new { name = "s", jobs = new[] { new { name = "j", type = "noop", parts = Enumerable.Range(0, parts).Select(i => new string('x', 100) + i).ToArray() } } });
        return await http.PostAsync("/api/v1/streams", new StringContent(json, Encoding.UTF8, "application/json"), Ct);
    }

    private static async Task<HttpClient> ConnectAsync(string state, ShoalProcess server)
    {
        var urlFile = Path.Combine(state, "server.url");
        await Poll.UntilAsync(() => File.Exists(urlFile) || server.Process.HasExited, 60);
        server.Process.HasExited.ShouldBeFalse(server.Stderr);
        var http = new HttpClient { BaseAddress = new Uri((await File.ReadAllTextAsync(urlFile, Ct)).Trim()) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(Path.Combine(state, "admin.token"), Ct)).Trim());
        return http;
    }
}
