using Shouldly;

namespace Shoal.Server.Tests.Engine;

/// <summary>
/// FOSSology's agent library asks <c>GETSPECIAL</c> and reads the next line as its <c>VALUE</c>: an agent that asks
/// right after <c>OK</c> must get its answer before the chunk the <c>OK</c> leased for it.
/// </summary>
public sealed class GetSpecialTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GetSpecialRightAfterOk_IsAnsweredBeforeTheNextChunk_EveryTime()
    {
        var dir = Directory.CreateTempSubdirectory("shoal-getspecial-").FullName;
        var answers = Path.Combine(dir, "answers.txt");
        var items = Path.Combine(dir, "items.txt");
        // "OK" and "GETSPECIAL" in one write (coreutils' printf: bash's own writes line by line), after every chunk (libfossscheduler flushes its OK before it asks: then the
        // question can come after the chunk is on its way, in FOSSology as here; what the agent wrote first is answered first).
        var script = Path.Combine(dir, "asks.sh");
        await File.WriteAllTextAsync(script, $$"""
            #!/bin/bash
            /usr/bin/printf 'VERSION: 1\n\nOK\nGETSPECIAL: 1\n'
            IFS= read -r value; echo "$value" >> '{{answers}}'
            while IFS= read -r line; do
              case "$line" in
                CLOSE) echo 'BYE 0'; exit 0 ;;
                END) /usr/bin/printf 'OK\nGETSPECIAL: 1\n'; IFS= read -r value; echo "$value" >> '{{answers}}' ;;
                *) echo "$line" >> '{{items}}' ;;
              esac
            done
            """.Replace("\r", "", StringComparison.Ordinal), Ct);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string> { ["asks"] = $"[default]\ncommand = {script}\nmax = 4\n" });

        var parts = Enumerable.Range(0, 200).Select(i => $"\"p{i}\"");
        var created = await server.SubmitAsync($$"""{"name":"s","jobs":[{"name":"a","type":"asks","parts":[{{string.Join(',', parts)}}]}]}""");
        await Poll.UntilAsync(() => server.StreamAsync(created.Id), s => s.State is "completed" or "failed", 60);

        var got = await File.ReadAllLinesAsync(answers, Ct);
        got.Length.ShouldBeGreaterThan(200, "one answer after each OK");
        got.Where(a => a != "VALUE: 0").ShouldBeEmpty("a data line read as the VALUE is an item lost to the agent");
        (await File.ReadAllLinesAsync(items, Ct)).Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(0, 200).Select(i => $"p{i}").Order(StringComparer.Ordinal));
    }
}
