using Npgsql;
using Shouldly;

namespace Shoal.Cli.Tests.Fossology;

/// <summary>
/// FOSSology's own job queue (the kit's fossology-queue-schema.sql in PostgreSQL, named by Db.conf), filled as
/// FOSSology's UI fills it, worked by <c>shoal fo-scheduler</c> with FOSSology's minimal agent.
/// </summary>
public sealed class FossologyQueueTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private FossologyKit _kit = null!;
    private FossologyDatabase _db = null!;

    private string Items => Path.Combine(_kit.Root, "items.txt");

    public async ValueTask InitializeAsync()
    {
        _db = await FossologyDatabase.CreateAsync(Ct);
        _kit = await FossologyKit.BuildAsync(Ct);
        // The slow and the misbehaving test agents are left out: quick_death stays, to fail a step.
        foreach (var slow in new[] { "no_update", "wait_special", "no_check" })
        {
            Directory.Delete(Path.Combine(_kit.Agents, "mods-enabled", slow), recursive: true);
        }

        await File.WriteAllTextAsync(Path.Combine(_kit.Agents, "Db.conf"), _db.DbConf, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        _kit.Dispose();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task UploadsInsertedAsTheUiInsertsThem_RunInDependencyOrder_ToEndBits1_EachItemOnce()
    {
        await using var server = Start();
        var uploads = new List<int[]>();
        for (var u = 0; u < 5; u++)
        {
            uploads.Add(await InsertUploadAsync($"u{u}", "minimal_agent"));
        }

        await DatabaseAsync(); // the UI sends 'database' after its inserts
        var rows = await Poll.UntilAsync(RowsAsync, r => r.Count == 20 && r.All(x => x.End is not null), 90);

        rows.ShouldAllBe(r => r.Bits == 1 && r.Text == "Completed" && r.Log != null, string.Join("\n", rows));
        foreach (var steps in uploads)
        {
            var byPk = rows.ToDictionary(r => r.Pk);
            // unpack → scan-a, scan-b → report: a step starts only after every step it depends on ended.
            byPk[steps[1]].Start!.Value.ShouldBeGreaterThanOrEqualTo(byPk[steps[0]].End!.Value);
            byPk[steps[2]].Start!.Value.ShouldBeGreaterThanOrEqualTo(byPk[steps[0]].End!.Value);
            byPk[steps[3]].Start!.Value.ShouldBeGreaterThanOrEqualTo(byPk[steps[1]].End!.Value);
            byPk[steps[3]].Start!.Value.ShouldBeGreaterThanOrEqualTo(byPk[steps[2]].End!.Value);
        }

        // minimal_agent writes "<pid> <data line>" for each item: each step's jq_args exactly once.
        var items = (await File.ReadAllLinesAsync(Items, Ct)).Select(l => l.Split(' ', 2)[1]).Order(StringComparer.Ordinal).ToList();
        items.ShouldBe(rows.Select(r => r.Args!).Order(StringComparer.Ordinal).ToList());
    }

    [Fact]
    public async Task AFailedStep_FailsWithItsReason_AndEveryStepAfterIt_WithDependencyFailed()
    {
        await using var server = Start();
        // quick_death fails its start-up test: its jobs fail as FOSSology fails them; an unknown type fails too.
        var dying = await InsertUploadAsync("d", "quick_death");
        var unknown = await InsertUploadAsync("n", "nosuch_agent");
        await DatabaseAsync();
        var rows = (await Poll.UntilAsync(RowsAsync, r => r.Count == 8 && r.All(x => x.End is not null), 90)).ToDictionary(r => r.Pk);

        rows[dying[0]].Bits.ShouldBe((short)2);
        rows[dying[0]].Text.ShouldNotBeNull().ShouldStartWith("agent type has been invalidated");
        rows[unknown[0]].Bits.ShouldBe((short)2);
        rows[unknown[0]].Text.ShouldNotBeNull().ShouldContain("nosuch_agent");
        foreach (var after in dying.Skip(1).Concat(unknown.Skip(1)))
        {
            rows[after].Bits.ShouldBe((short)2);
            rows[after].Text.ShouldBe("dependency failed");
            rows[after].Start.ShouldBeNull("it never ran");
        }
    }

    [Fact]
    public async Task TheCommandPortSpeaksJqPks_AsFossologysUiDoes_StatusAndKillOfARow()
    {
        // An agent that takes its time over each item (FOSSology's agent protocol, in bash).
        var folder = Path.Combine(_kit.Agents, "mods-enabled", "sleeper");
        Directory.CreateDirectory(Path.Combine(folder, "agent"));
        await File.WriteAllTextAsync(Path.Combine(folder, "sleeper.conf"), "[default]\ncommand = sleeper\nmax = -1\n", Ct);
        var agent = Path.Combine(folder, "agent", "sleeper");
        await File.WriteAllTextAsync(agent, "#!/bin/bash\necho 'VERSION: 1'\necho OK\nwhile IFS= read -r line; do\n  case \"$line\" in\n    CLOSE) echo 'BYE 0'; exit 0 ;;\n    END) echo OK ;;\n    *) sleep 60 ;;\n  esac\ndone\n", Ct);
        File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = Start();
        var steps = await InsertUploadAsync("s", "sleeper");
        await DatabaseAsync();

        // status <jq_pk>: the row's job, by FOSSology's id.
        var status = await Poll.UntilAsync(() => AskAsync($"status {steps[0]}"), r => r.Contains("status:JOB_STARTED", StringComparison.Ordinal) && r.Contains("agent:", StringComparison.Ordinal), 60);
        status.ShouldStartWith($"received\njob:{steps[0]} status:JOB_STARTED type:sleeper, priority:0 running:1 ");
        status.ShouldContain("type:sleeper status:AGENT_RUNNING");

        // kill <jq_pk> "message": the row fails with the message (as typed), the rows after it with dependency failed.
        (await AskAsync($"kill {steps[0]} \"stopped by hand\"")).ShouldBe("received\n");
        var rows = (await Poll.UntilAsync(RowsAsync, r => r.All(x => x.End is not null), 60)).ToDictionary(r => r.Pk);
        rows[steps[0]].Bits.ShouldBe((short)2);
        rows[steps[0]].Text.ShouldBe("stopped by hand");
        rows[steps[3]].Text.ShouldBe("dependency failed");
    }

    /// <summary>One command on the command port (loopback needs no token here), and what came back within a moment.</summary>
    private async Task<string> AskAsync(string command)
    {
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync("127.0.0.1", _kit.Port, Ct);
        var stream = client.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(command + "\n"), Ct);
        var reply = new System.Text.StringBuilder();
        var buffer = new byte[4096];
        using var brief = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        brief.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            while (await stream.ReadAsync(buffer, brief.Token) is var n and > 0)
            {
                reply.Append(System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            }
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
        }

        return reply.ToString().Replace("\0", "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task KilledWithSigkillMidRun_AndStartedAgain_EveryRowEndsCompleted_WithoutAHandMadeFix()
    {
        var server = Start();
        for (var u = 0; u < 40; u++)
        {
            await InsertUploadAsync($"k{u}", "minimal_agent");
        }

        await DatabaseAsync();
        await Poll.UntilAsync(RowsAsync, r => r.Count(x => x.End is not null) >= 10, 90);
        server.Process.Kill(); // SIGKILL, the scheduler only: its agents are orphaned as they would be
        await server.Process.WaitForExitAsync(Ct);
        var mid = await RowsAsync();
        mid.Count(r => r.End is null).ShouldBeGreaterThan(0, "killed mid-run");
        await server.DisposeAsync();

        await using var again = Start();
        // No 'database' this time: it looks by itself.
        var rows = await Poll.UntilAsync(RowsAsync, r => r.All(x => x.End is not null), 120);
        rows.ShouldAllBe(r => r.Bits == 1 && r.Text == "Completed" && r.Info == null, string.Join("\n", rows.Where(r => r.Bits != 1)));
        var items = (await File.ReadAllLinesAsync(Items, Ct)).Select(l => l.Split(' ', 2)[1]).ToHashSet(StringComparer.Ordinal);
        rows.ShouldAllBe(r => items.Contains(r.Args!), "every step ran");
    }

    /// <summary>fo_cli's <c>-d</c> (the command port opens a moment after the process starts: asked again until it answers).</summary>
    private async Task DatabaseAsync() => await Poll.UntilAsync(() => _kit.FoCliAsync("-d", Ct), r => r.Code == 0, 30);

    private ShoalProcess Start() => ShoalProcess.Start(_kit.Root, new Dictionary<string, string> { ["FO_ITEMS_OUT"] = Items }, "fo-scheduler", "-c", _kit.Agents);

    /// <summary>
    /// One upload as FOSSology's UI schedules it: a job row, then its steps (unpack; two scans after it; a report after
    /// both) with their dependencies, each insert on its own. Returns the jq_pks in that order.
    /// </summary>
    private async Task<int[]> InsertUploadAsync(string name, string firstType)
    {
        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync(Ct);
        var job = await ScalarAsync(c, "INSERT INTO job (job_user_fk, job_group_fk, job_queued, job_priority, job_name, job_upload_fk) VALUES (2, 2, now(), 0, $1, 1) RETURNING job_pk", name);
        var unpack = await ScalarAsync(c, "INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) VALUES ($1, $2, $3) RETURNING jq_pk", job, firstType, $"{name}-unpack");
        var a = await ScalarAsync(c, "INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) VALUES ($1, 'minimal_agent', $2) RETURNING jq_pk", job, $"{name}-scan-a");
        var b = await ScalarAsync(c, "INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) VALUES ($1, 'minimal_agent', $2) RETURNING jq_pk", job, $"{name}-scan-b");
        var report = await ScalarAsync(c, "INSERT INTO jobqueue (jq_job_fk, jq_type, jq_args) VALUES ($1, 'minimal_agent', $2) RETURNING jq_pk", job, $"{name}-report");
        foreach (var (dependent, on) in new[] { (a, unpack), (b, unpack), (report, a), (report, b) })
        {
            await ScalarAsync(c, "INSERT INTO jobdepends (jdep_jq_fk, jdep_jq_depends_fk) VALUES ($1, $2) RETURNING jdep_jq_fk", dependent, on);
        }

        return [unpack, a, b, report];
    }

    private static async Task<int> ScalarAsync(NpgsqlConnection c, string sql, params object[] args)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        foreach (var a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        return (int)(await cmd.ExecuteScalarAsync(Ct))!;
    }

    private sealed record Row(int Pk, string? Args, DateTime? Start, DateTime? End, short Bits, string? Text, string? Info, string? Log);

    private async Task<List<Row>> RowsAsync()
    {
        await using var c = new NpgsqlConnection(_db.ConnectionString);
        await c.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand("SELECT jq_pk, jq_args, jq_starttime, jq_endtime, jq_end_bits, jq_endtext, jq_schedinfo, jq_log FROM jobqueue ORDER BY jq_pk", c);
        await using var r = await cmd.ExecuteReaderAsync(Ct);
        var rows = new List<Row>();
        while (await r.ReadAsync(Ct))
        {
            rows.Add(new Row(
                r.GetInt32(0),
                r.IsDBNull(1) ? null : r.GetString(1),
                r.IsDBNull(2) ? null : r.GetDateTime(2),
                r.IsDBNull(3) ? null : r.GetDateTime(3),
                r.GetInt16(4),
                r.IsDBNull(5) ? null : r.GetString(5),
                r.IsDBNull(6) ? null : r.GetString(6),
                r.IsDBNull(7) ? null : r.GetString(7)));
        }

        return rows;
    }
}
