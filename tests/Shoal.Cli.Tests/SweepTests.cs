using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Shoal.Contracts;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary><c>shoal sweep</c> and <c>shoal gap-fix</c> as real processes, with a collector script recording what it did.</summary>
public sealed partial class SweepTests
{
    private static readonly string[] Keys =
    [
        "global_fail_hosts", "global_fail_hosts_list", "global_fail_prod", "global_fail_prod_list",
        "global_success_hosts", "global_success_hosts_list", "jobtime", "threads",
    ];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sweep_300Hosts_ListsExactlyTheExpectedHosts_ProductionFirst_WithinTheThreadLimit()
    {
        var dir = Workspace(out var record);
        var hosts = Enumerable.Range(0, 300).Select(i => (Host: $"srv{i:000}", Prod: i % 7 == 3 && i < 280)).ToList();
        hosts.Count(h => h.Prod).ShouldBe(40);
        await WriteCsvAsync(dir, "hosts.csv", hosts, extra: ["srv005,dev,x,extra", ",production,x", "srv010,dev,x"]);
        var failing = hosts.Where((_, i) => i % 23 == 0).Select(h => h.Host).ToHashSet();

        var run = await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "hosts.csv", "--collector", $"./collect.sh {{host}} {record}", "--threads", "8", "--out", "status.json", "--retry-file", "retry.csv");
        run.Code.ShouldBe(1, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        json.EnumerateObject().Select(p => p.Name).Take(8).ShouldBe(Keys);
        json.TryGetProperty("Timeout", out _).ShouldBeFalse();
        Set(json, "global_fail_hosts_list").ShouldBe(failing, ignoreOrder: true);
        Set(json, "global_fail_prod_list").ShouldBe(failing.Where(f => hosts.Single(h => h.Host == f).Prod), ignoreOrder: true);
        Set(json, "global_success_hosts_list").ShouldBe(hosts.Select(h => h.Host).Except(failing), ignoreOrder: true);
        json.GetProperty("global_fail_hosts").GetInt32().ShouldBe(failing.Count);
        json.GetProperty("global_success_hosts").GetInt32().ShouldBe(300 - failing.Count);
        json.GetProperty("threads").GetInt32().ShouldBe(8);
        json.GetProperty("jobtime").GetDouble().ShouldBeGreaterThan(0);
        json.GetProperty("global_bad_lines").EnumerateArray().Select(b => b.GetProperty("line").GetInt32()).ShouldBe([302, 303, 304]);
        run.Stderr.ShouldContain("hosts.csv:302: 4 fields, the header has 3 (skipped)");
        run.Stderr.ShouldContain("hosts.csv:303: empty host in column 'host' (skipped)");
        run.Stderr.ShouldContain("hosts.csv:304: duplicate host 'srv010' (skipped)");
        (await File.ReadAllTextAsync(Path.Combine(dir, "status.json"), Ct)).Trim().ShouldBe(run.Stdout.Trim());
        (await File.ReadAllLinesAsync(Path.Combine(dir, "retry.csv"), Ct)).Skip(1).Select(l => l.Split(',')[0]).ShouldBe(failing, ignoreOrder: true);

        var spans = Spans(record);
        spans.Count.ShouldBe(300);
        var lastProdStart = spans.Where(s => hosts.Single(h => h.Host == s.Host).Prod).Max(s => s.Start);
        var firstOtherStart = spans.Where(s => !hosts.Single(h => h.Host == s.Host).Prod).Min(s => s.Start);
        // Shoal starts every production process before any other; the script notes its start a moment later, so allow the
        // children's own scheduling skew (a few ms, more on a loaded machine).
        (lastProdStart - firstOtherStart).ShouldBeLessThan(250_000_000L, "production hosts all started before any other host");
        MaxOverlap(spans).ShouldBeLessThanOrEqualTo(8);
    }

    [Fact]
    public async Task Sweep_HittingTheTimeLimit_SaysSoExactly_AndCountsTheHostsNeverStarted()
    {
        var dir = Workspace(out var record);
        await WriteCsvAsync(dir, "hosts.csv", Enumerable.Range(0, 40).Select(i => ($"slow{i:00}", false)).ToList());
        var run = await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "hosts.csv", "--collector", $"./collect.sh {{host}} {record} 0.5", "--threads", "2", "--time-limit", "2s", "--retry-file", "retry.csv");
        run.Code.ShouldBe(3, run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        var timeout = json.GetProperty("Timeout").GetString()!;
        var match = TimeoutPattern().Match(timeout);
        match.Success.ShouldBeTrue(timeout);
        var left = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        var started = Spans(record, includeUnfinished: true).Select(s => s.Host).ToHashSet();
        var attempted = Set(json, "global_success_hosts_list").Concat(Set(json, "global_fail_hosts_list")).ToHashSet();
        left.ShouldBe(40 - attempted.Count, "n is the hosts never started");
        left.ShouldBeGreaterThan(0);
        Set(json, "not_attempted_list").Count.ShouldBe(left);
        Set(json, "not_attempted_list").ShouldAllBe(h => !started.Contains(h), "a host on the queue never ran");
        started.ShouldAllBe(h => attempted.Contains(h), "every host that ran is counted (a collector killed at once may not have written its record)");
        double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture).ShouldBeInRange(1.9, 10);
        (await File.ReadAllLinesAsync(Path.Combine(dir, "retry.csv"), Ct)).Length.ShouldBe(1 + left + json.GetProperty("global_fail_hosts").GetInt32());
    }

    [Fact]
    public async Task Sweep_WithAnUnreadableOrHeaderlessInventory_Exits2()
    {
        var dir = Workspace(out _);
        var missing = await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "nope.csv", "--collector", "true");
        missing.Code.ShouldBe(2);
        missing.Stderr.ShouldContain("cannot read nope.csv");
        await File.WriteAllTextAsync(Path.Combine(dir, "bad.csv"), "name,env\na,prod\n", Ct);
        var noColumn = await ShoalProcess.RunAsync(dir, "sweep", "--hosts", "bad.csv", "--collector", "true");
        noColumn.Code.ShouldBe(2);
        noColumn.Stderr.ShouldContain("bad.csv: line 1: no column 'host' in the header (name, env)");
    }

    [Fact]
    public async Task Lock_SecondSweepRefused_GapFixRunsAlongside_WaitingJobStartsAfterRelease_StaleLockTakenOver()
    {
        var dir = Workspace(out var record);
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\ntick_seconds = 0.2\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "report.conf"), "[default]\nkind = pull\n", Ct);
        // Long enough (24 hosts × 0.5 s, 2 at a time) for every check below to happen while the first sweep holds the lock.
        await WriteCsvAsync(dir, "hosts.csv", Enumerable.Range(0, 24).Select(i => ($"h{i:00}", i < 4)).ToList());

        // A stale lock (its process is gone) is taken over with a warning.
        Directory.CreateDirectory(Path.Combine(dir, ".shoal"));
        await File.WriteAllTextAsync(Path.Combine(dir, ".shoal", "sweep.lock"), "999999 2026-01-01T00:00:00Z 7\n", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        var url = await ServerUrlAsync(dir);
        using var admin = Admin(dir, url);

        var first = ShoalProcess.Start(dir, null, "sweep", "--server", url, "--hosts", "hosts.csv", "--collector", $"./collect.sh {{host}} {record} 0.5", "--threads", "2");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "sweep.lock")) && File.ReadAllText(Path.Combine(dir, ".shoal", "sweep.lock")).StartsWith(server.Process.Id.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal), 120);
        server.Stderr.ShouldContain("stale sweep lock");

        var second = await ShoalProcess.RunAsync(dir, "sweep", "--server", url, "--hosts", "hosts.csv", "--collector", "true");
        second.Code.ShouldBe(4);
        second.Stderr.ShouldMatch($"held by pid {server.Process.Id} since 20\\d\\d-");

        var waiting = await (await admin.PostAsync("/api/v1/streams", JsonContent.Create(new
        {
            name = "analysis",
            jobs = new[] { new { name = "report", type = "report", wait_for_lock = "sweep" } },
        }), Ct)).Content.ReadFromJsonAsync<SubmitResponse>(ShoalJson.Options, Ct);
        var why = await admin.GetFromJsonAsync<WhyResponse>($"/api/v1/jobs/{waiting!.Jobs["report"]}/why", ShoalJson.Options, Ct);
        why!.Reasons.ShouldContain(r => r.StartsWith("lock held", StringComparison.Ordinal));
        var token = await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", "reporter"), ShoalJson.Options, Ct)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, Ct);
        using var agent = new HttpClient { BaseAddress = new Uri(url) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        (await Lease(agent)).ShouldBeEmpty("the lock is held");

        var gapfix = await ShoalProcess.RunAsync(dir, "gap-fix", "--server", url, "--hosts", "hosts.csv", "--collector", "true");
        gapfix.Code.ShouldBe(0, gapfix.Stderr);
        first.Process.HasExited.ShouldBeFalse("gap-fix ran alongside the sweep");

        await first.Process.WaitForExitAsync(Ct);
        first.Process.ExitCode.ShouldBe(0, first.Stderr);
        await first.DisposeAsync();
        await Poll.UntilAsync(() => !File.Exists(Path.Combine(dir, ".shoal", "sweep.lock")));
        var leased = Array.Empty<LeasedPartDto>() as IReadOnlyList<LeasedPartDto>;
        await Poll.UntilAsync(() => (leased = Lease(agent).GetAwaiter().GetResult()).Count > 0);
        leased.Single().JobId.ShouldBe(waiting.Jobs["report"]);
    }

    [Fact]
    public async Task GapFix_VisitsExactlyTheStaleProductionHosts_AndSkipsCheckIns()
    {
        var dir = Workspace(out var record);
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        var hosts = Enumerable.Range(0, 20).Select(i => ($"g{i:00}", i < 10)).ToList();
        await WriteCsvAsync(dir, "hosts.csv", hosts);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        var url = await ServerUrlAsync(dir);
        using var admin = Admin(dir, url);

        // First sweep: g03 and g07 (production) and g13 fail.
        await File.WriteAllTextAsync(Path.Combine(dir, "failing.txt"), "g03\ng07\ng13\n", Ct);
        var sweep = await ShoalProcess.RunAsync(dir, "sweep", "--server", url, "--hosts", "hosts.csv", "--collector", $"./collect.sh {{host}} {record}");
        sweep.Code.ShouldBe(1, sweep.Stderr);

        // g07 checks in by itself, with a token made for it (it may speak only for g07); nothing fails any more.
        var token = await (await admin.PostAsJsonAsync("/api/v1/tokens", new TokenCreateRequest("agent", "g07", ["host:g07"]), ShoalJson.Options, Ct)).Content.ReadFromJsonAsync<TokenCreated>(ShoalJson.Options, Ct);
        using var agent = new HttpClient { BaseAddress = new Uri(url) };
        agent.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token!.Token);
        var forged = await agent.PostAsync("/api/v1/hosts/g03/checkin", JsonContent.Create(new { packages = 1 }), Ct);
        forged.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await forged.Content.ReadAsStringAsync(Ct)).ShouldContain("may not check in as 'g03': create one with --host g03");
        (await agent.PostAsync("/api/v1/hosts/g07/checkin", JsonContent.Create(new { packages = 412 }), Ct)).IsSuccessStatusCode.ShouldBeTrue();
        File.Delete(Path.Combine(dir, "failing.txt"));

        var gapfix = await ShoalProcess.RunAsync(dir, "gap-fix", "--server", url, "--hosts", "hosts.csv", "--collector", $"./collect.sh {{host}} {record}", "--fresh-within", "1h");
        gapfix.Code.ShouldBe(0, gapfix.Stderr);
        var json = JsonDocument.Parse(gapfix.Stdout).RootElement;
        Set(json, "global_success_hosts_list").ShouldBe(["g03"]);
        Set(json, "skipped_checked_in").ShouldBe(["g07"]);
        var results = await ShoalProcess.RunAsync(dir, "results", "g03", "--server", url);
        results.Stdout.ShouldContain("gapfix\tok");
        results.Stdout.ShouldContain("sweep\tfailed");
        results.Stdout.ShouldStartWith("at\tsource\tstatus\texit\tseconds\toutput\tstderr\n");
        results.Stdout.ShouldContain("\tssh: connect to host g03 port 22: Connection refused\n", Case.Sensitive, "a failed visit says why");
        (await ShoalProcess.RunAsync(dir, "results", "g07", "--server", url)).Stdout.ShouldContain("checkin\tcheckin");
    }

    [GeneratedRegex(@"^Timeout reached at (\d+(?:\.\d+)?(?:E[-+]?\d+)?) seconds with (\d+) items left on the queue\.$")]
    private static partial Regex TimeoutPattern();

    private static string Workspace(out string record)
    {
        var dir = Directory.CreateTempSubdirectory("shoal-sweep-").FullName;
        record = Path.Combine(dir, "record.txt");
        var script = Path.Combine(dir, "collect.sh");
        File.WriteAllText(script, """
            #!/bin/sh
            # collect.sh HOST RECORD [SLEEP]: records "start HOST ns", sleeps, fails for srvNNN with NNN % 23 == 0 or hosts in failing.txt.
            host=$1; record=$2
            echo "start $host $(date +%s%N)" >> "$record"
            [ -n "$3" ] && sleep "$3"
            echo "end $host $(date +%s%N)" >> "$record"
            case "$host" in srv*) n=$(echo "${host#srv}" | sed 's/^0*//'); [ $(( ${n:-0} % 23 )) -eq 0 ] && { echo "unreachable $host" >&2; exit 5; } ;; esac
            [ -f failing.txt ] && grep -qx "$host" failing.txt && { echo "ssh: connect to host $host port 22: Connection refused" >&2; exit 6; }
            echo "inventory of $host"
            """);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return dir;
    }

    private static Task WriteCsvAsync(string dir, string name, IReadOnlyList<(string Host, bool Prod)> hosts, string[]? extra = null) =>
        File.WriteAllLinesAsync(Path.Combine(dir, name), hosts.Select(h => $"{h.Host},{(h.Prod ? "production" : "dev")},team-a").Prepend("host,environment,owner").Concat(extra ?? []), Ct);

    private static List<string> Set(JsonElement json, string key) => json.GetProperty(key).EnumerateArray().Select(e => e.GetString()!).ToList();

    private static List<(string Host, long Start, long End)> Spans(string record, bool includeUnfinished = false)
    {
        var lines = File.ReadAllLines(record).Select(l => l.Split(' ')).ToList();
        var ends = lines.Where(w => w[0] == "end").ToDictionary(w => w[1], w => long.Parse(w[2], CultureInfo.InvariantCulture));
        return lines.Where(w => w[0] == "start" && (includeUnfinished || ends.ContainsKey(w[1])))
            .Select(w => (w[1], long.Parse(w[2], CultureInfo.InvariantCulture), ends.GetValueOrDefault(w[1], long.MaxValue))).ToList();
    }

    private static int MaxOverlap(IEnumerable<(string Host, long Start, long End)> spans)
    {
        int current = 0, max = 0;
        foreach (var (_, d) in spans.SelectMany(s => new[] { (T: s.Start, D: 1), (T: s.End, D: -1) }).OrderBy(e => e.T).ThenBy(e => e.D))
        {
            current += d;
            max = Math.Max(max, current);
        }

        return max;
    }

    private static async Task<string> ServerUrlAsync(string dir)
    {
        var file = Path.Combine(dir, ".shoal", "server.url");
        await Poll.UntilAsync(() => File.Exists(file));
        return (await File.ReadAllTextAsync(file, Ct)).Trim();
    }

    private static HttpClient Admin(string dir, string url)
    {
        var http = new HttpClient { BaseAddress = new Uri(url) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(dir, ".shoal", "admin.token")).Trim());
        return http;
    }

    private static async Task<IReadOnlyList<LeasedPartDto>> Lease(HttpClient agent)
    {
        var response = await agent.PostAsJsonAsync("/api/v1/lease", new LeaseRequestDto(["report"]), ShoalJson.Options, Ct);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<LeaseResponse>(ShoalJson.Options, Ct))!.Parts;
    }

}
