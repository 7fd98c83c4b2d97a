using System.Text.Json;
using Shouldly;

namespace Shoal.Cli.Tests;

/// <summary>Stream and job ids share numbers: <c>s7</c> and <c>j22</c> say which one is meant, and the wrong kind is refused.</summary>
public sealed class IdsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task PrefixedIds_PickTheKind_AndTheWrongKindIsRefusedWithWhatToType()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-ids-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "agents"));
        await File.WriteAllTextAsync(Path.Combine(dir, "shoal.conf"), "[SCHEDULER]\nport = 0\ncommand_port = 0\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "agents", "scan.conf"), "[default]\nkind = pull\n", Ct);
        await File.WriteAllTextAsync(Path.Combine(dir, "s.json"), """{"name":"two","jobs":[{"name":"a","type":"scan","parts":["x"]},{"name":"b","type":"scan","parts":["y"]}]}""", Ct);
        await using var server = ShoalProcess.Start(dir, null, "server", "--config", "shoal.conf");
        await Poll.UntilAsync(() => File.Exists(Path.Combine(dir, ".shoal", "server.url")), 30);
        var submitted = await ShoalProcess.RunAsync(dir, "submit", "s.json", "--json");
        submitted.Code.ShouldBe(0, submitted.Stderr);
        using var created = JsonDocument.Parse(submitted.Stdout);
        var stream = created.RootElement.GetProperty("id").GetInt64();
        var jobA = created.RootElement.GetProperty("jobs").GetProperty("a").GetInt64();

        // j<id> with a stream verb: that job alone, as --job does.
        var cancel = await ShoalProcess.RunAsync(dir, "cancel", $"j{jobA}");
        cancel.Code.ShouldBe(0, cancel.Stderr);
        cancel.Stdout.ShouldContain($"job {jobA}: cancelled");
        var status = await ShoalProcess.RunAsync(dir, "status", $"s{stream}", "--json");
        status.Code.ShouldBe(0, status.Stderr);
        using var shown = JsonDocument.Parse(status.Stdout);
        shown.RootElement.GetProperty("state").GetString().ShouldNotBe("cancelled", "only the job was cancelled");

        // A stream's id where a job is taken, a job's where a stream is, or a contradiction: refused, one line, nothing done.
        var why = await ShoalProcess.RunAsync(dir, "why", $"s{stream}");
        why.Code.ShouldNotBe(0);
        why.Stderr.ShouldContain($"s{stream} names a stream; this command takes a job (a stream's jobs are listed by: shoal status {stream})");
        var wrong = await ShoalProcess.RunAsync(dir, "status", $"j{jobA}");
        wrong.Code.ShouldNotBe(0);
        wrong.Stderr.ShouldContain($"j{jobA} names a job; this command takes a stream");
        var both = await ShoalProcess.RunAsync(dir, "pause", $"s{stream}", "--job");
        both.Code.ShouldBe(2);
        both.Stderr.ShouldContain("is a stream, but --job says the id is a job's");
        var junk = await ShoalProcess.RunAsync(dir, "cancel", "x7");
        junk.Code.ShouldNotBe(0);
        junk.Stderr.ShouldContain("'x7' is not an id: a number, s7 (stream 7) or j22 (job 22)");
        // A misspelt option: its likely meaning, and its value is not a second fault; a value of the wrong type, in words.
        var typo = await ShoalProcess.RunAsync(dir, "status", "--stat", "running");
        typo.Stderr.Trim().ShouldBe("shoal: '--stat' is not an option of 'shoal status' (did you mean '--state'?)\nshoal: see 'shoal status --help'");
        var words = await ShoalProcess.RunAsync(dir, "status", "--limit", "ten");
        words.Stderr.Trim().ShouldBe("shoal: --limit takes a whole number, got 'ten'\nshoal: see 'shoal status --help'");
        var nested = await ShoalProcess.RunAsync(dir, "token", "creat");
        nested.Stderr.Trim().ShouldBe("shoal: 'creat' is not a command or argument of 'shoal token' (did you mean 'create'?)\nshoal: see 'shoal token --help'");
        foreach (var r in new[] { why, wrong, junk, typo, words, nested })
        {
            r.Code.ShouldBe(2, "a usage error");
            r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).ShouldAllBe(line => line.StartsWith("shoal: ", StringComparison.Ordinal), "each line says who speaks, and none is blank");
        }

        foreach (var r in new[] { why, wrong, both, junk })
        {
            r.Stderr.ShouldNotContain("   at ");
            r.Stderr.ShouldNotContain("Usage:", Case.Sensitive, "the reason, not the whole help text");
        }

        // Malformed ids, for a job command and a stream command: one line with the reason, never a crash.
        foreach (var bad in new[] { "s", "j0", "s-1", "7abc", "0", "-1", "s99999999999999999999", "" })
        {
            foreach (var verb in new[] { "why", "status", "cancel" })
            {
                var r = await ShoalProcess.RunAsync(dir, verb, bad);
                r.Code.ShouldBe(2, $"{verb} '{bad}': {r.Stderr}");
                r.Stderr.Trim().ShouldBe($"shoal: '{bad}' is not an id: a number, s7 (stream 7) or j22 (job 22)\nshoal: see 'shoal {verb} --help'");
            }
        }


        // A bare number means what it always meant.
        var jobB = created.RootElement.GetProperty("jobs").GetProperty("b").GetInt64();
        var bare = await ShoalProcess.RunAsync(dir, "why", jobB.ToString(System.Globalization.CultureInfo.InvariantCulture));
        bare.Code.ShouldBe(0, bare.Stderr);
        bare.Stdout.ShouldStartWith($"job {jobB} is ");
    }
}
