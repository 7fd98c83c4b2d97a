using Shoal.Contracts;

namespace Shoal.Agent;

/// <summary>
/// Sends a pull agent's reports as few requests as it can without making any wait: a report goes at once when no
/// request is on its way; the reports that come while one is travel together in the next (<c>POST /api/v1/reports</c>,
/// one store transaction on the server), up to <see cref="MaxBatch"/>. Each caller gets its own part's answer, or the
/// request's error. A batch is all or nothing on the server, so when it is refused (a 4xx) each of its reports is sent
/// alone to get its own verdict: one bad report never costs the others.
/// </summary>
public sealed class ReportBatcher(PullAgentClient client)
{
    /// <summary>The most reports in one request (the server takes up to 1,000).</summary>
    public const int MaxBatch = 256;

    private readonly Lock _gate = new();
    private readonly List<Pending> _queue = [];
    private bool _sending;

    /// <summary>Reports one part; completes when the server has answered for it.</summary>
    public Task<CompleteResponse> ReportAsync(PartReportDto report, CancellationToken ct)
    {
        var pending = new Pending(report, new TaskCompletionSource<CompleteResponse>(TaskCreationOptions.RunContinuationsAsynchronously));
        bool start;
        lock (_gate)
        {
            _queue.Add(pending);
            start = !_sending;
            _sending = true;
        }

        if (start)
        {
            _ = Task.Run(SendAllAsync, CancellationToken.None);
        }

        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task SendAllAsync()
    {
        while (true)
        {
            List<Pending> batch;
            lock (_gate)
            {
                if (_queue.Count == 0)
                {
                    _sending = false;
                    return;
                }

                var count = Math.Min(_queue.Count, MaxBatch);
                batch = _queue.GetRange(0, count);
                _queue.RemoveRange(0, count);
            }

            await SendAsync(batch).ConfigureAwait(false);
        }
    }

    private async Task SendAsync(List<Pending> batch)
    {
        if (batch.Count == 1)
        {
            await SendAloneAsync(batch[0]).ConfigureAwait(false);
            return;
        }

        try
        {
            var results = await client.ReportAsync([.. batch.Select(p => p.Report)], CancellationToken.None).ConfigureAwait(false);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Done.TrySetResult(results[i].Outcome);
            }
        }
        catch (PullAgentException ex) when (ex.IsPermanent)
        {
            foreach (var pending in batch)
            {
                await SendAloneAsync(pending).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            batch.ForEach(p => p.Done.TrySetException(ex));
        }
    }

    private async Task SendAloneAsync(Pending pending)
    {
        var r = pending.Report;
        try
        {
            pending.Done.TrySetResult(await client.CompleteAsync(r.PartId, r.LeaseId, r.Status == "ok", r.Result, r.Log, CancellationToken.None, r.Traceparent).ConfigureAwait(false));
        }
        catch (Exception ex)
        {
            pending.Done.TrySetException(ex);
        }
    }

    private sealed record Pending(PartReportDto Report, TaskCompletionSource<CompleteResponse> Done);
}
