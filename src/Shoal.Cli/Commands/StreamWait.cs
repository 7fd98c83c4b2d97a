using System.Globalization;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Client;
using Shoal.Contracts;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal submit --wait</c>: follows a stream until it ends — a progress line on a terminal's stderr (done %, rate,
/// time left), a line when it is stuck — and answers its outcome: exit 0 completed with every part done, else 1.
/// </summary>
internal static class StreamWait
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(500);

    public static async Task<int> FollowAsync(ShoalClient client, long id, GlobalOptions g, CancellationToken ct)
    {
        var started = TimeProvider.System.GetTimestamp();
        var live = !Console.IsErrorRedirected;
        string? stuckSaid = null;
        StreamDto stream;
        try
        {
            while (true)
            {
                stream = await client.GetStreamAsync(id, ct).ConfigureAwait(false);
                if (stream.Stuck is { } stuck && stuck != stuckSaid)
                {
                    stuckSaid = stuck;
                    await Console.Error.WriteLineAsync((live ? "\r\x1b[K" : "") + $"stream {id} is stuck: {Render.Safe(stuck)}").ConfigureAwait(false);
                }

                if (stream.State is "completed" or "failed" or "cancelled")
                {
                    break;
                }

                if (live)
                {
                    await Console.Error.WriteAsync("\r\x1b[K" + Progress(stream, TimeProvider.System.GetElapsedTime(started))).ConfigureAwait(false);
                }

                await Task.Delay(Every, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync((live ? "\r\x1b[K" : "") + $"stopped waiting; stream {id} goes on (shoal status {id})").ConfigureAwait(false);
            return 130;
        }

        if (live)
        {
            await Console.Error.WriteAsync("\r\x1b[K").ConfigureAwait(false);
        }

        var took = TimeProvider.System.GetElapsedTime(started).TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);
        Render.Out(g.Json, stream, s => Console.WriteLine(
            $"stream {s.Id} {s.State} after {took} s: {Counts(s)}{(s.Reason is null ? "" : " (" + Render.Safe(s.Reason) + ")")}"));
        // A stream that completed past failed parts (on_part_failure = continue) did not do all it was asked.
        return stream.State == "completed" && Totals(stream).Failed == 0 ? 0 : 1;
    }

    /// <summary><c>running: 1,200/4,000 parts (30%), 3 failed, 85/s, about 33 s left</c>.</summary>
    public static string Progress(StreamDto s, TimeSpan elapsed)
    {
        var (total, done, failed) = Totals(s);
        var finished = done + failed;
        var rate = finished / Math.Max(0.001, elapsed.TotalSeconds);
        var left = rate > 0 && total > finished ? $", about {(total - finished) / rate:0} s left" : "";
        var percent = total == 0 ? 0 : 100.0 * finished / total;
        return string.Create(CultureInfo.InvariantCulture, $"{s.State}: {finished:N0}/{total:N0} parts ({percent:0}%), {failed:N0} failed, {rate:0.#}/s{left}");
    }

    private static string Counts(StreamDto s)
    {
        var (total, done, failed) = Totals(s);
        return string.Create(CultureInfo.InvariantCulture, $"{done:N0} of {total:N0} parts done, {failed:N0} failed");
    }

    private static (long Total, long Done, long Failed) Totals(StreamDto s) =>
        (s.Jobs.Sum(j => (long)j.Parts.Ready + j.Parts.Leased + j.Parts.Done + j.Parts.Failed + j.Parts.Retrying + j.Parts.NotRun),
         s.Jobs.Sum(j => (long)j.Parts.Done),
         s.Jobs.Sum(j => (long)j.Parts.Failed));
}
