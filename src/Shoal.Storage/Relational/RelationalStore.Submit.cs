using Shoal.Core.Model;
using Shoal.Core.Streams;
using static Shoal.Storage.Relational.StoreSql;

namespace Shoal.Storage.Relational;

public abstract partial class RelationalStore
{
    public Task<StreamCreated> SubmitAsync(StreamSpec spec, Func<string, JobRules> rules, DateTimeOffset now, CancellationToken ct) =>
        WriteAsync(tx => Submit(tx, spec, rules, now), ct);

    private static StreamCreated Submit(DbTx tx, StreamSpec spec, Func<string, JobRules> rules, DateTimeOffset now)
        {
            var t = Ms(now);
            var stream = tx.Long(InsertStream, ("@name", spec.Name), ("@owner", spec.Owner), ("@priority", spec.Priority), ("@now", t));
            var ids = new Dictionary<string, JobId>(StringComparer.Ordinal);
            foreach (var job in spec.Jobs)
            {
                var rule = rules(job.Type);
                var ready = job.DependsOn.Count == 0;
                var id = tx.Long(
                    InsertJob,
                    ("@stream", stream),
                    ("@name", job.Name),
                    ("@type", job.Type),
                    ("@state", (int)(ready ? JobState.Ready : JobState.Blocked)),
                    ("@priority", spec.Priority),
                    ("@retries", rule.Retries),
                    ("@opf", (int)rule.OnPartFailure),
                    ("@timeout", job.Timeout is { } to ? (long)to.TotalMilliseconds : null),
                    ("@deps", job.DependsOn.Count),
                    ("@ready_at", ready ? t : null),
                    ("@n", job.Parts.Count),
                    ("@tags", job.RequiresTags is { Count: > 0 } tags ? System.Text.Json.JsonSerializer.Serialize(tags) : null),
                    ("@generator", job.Generator is { } g ? System.Text.Json.JsonSerializer.Serialize(g) : null),
                    ("@lock", job.WaitForLock),
                    ("@collector", job.Collector is { } c ? System.Text.Json.JsonSerializer.Serialize(c) : null),
                    ("@retry", RetryColumn.Write(rule.Retry)));
                ids[job.Name] = new JobId(id);
                NewParts.Insert(tx, id, job.Parts.Select(p => new NewParts.Row(p.Payload, p.Key, PartSpec.KeyByte(p.Key), p.IsJson ? 1 : 0)));
            }

            foreach (var job in spec.Jobs)
            {
                foreach (var dep in job.DependsOn)
                {
                    tx.Exec(InsertDep, ("@job", ids[job.Name].Value), ("@dep", ids[dep].Value));
                }

                if (job.GenerateFrom is { } from)
                {
                    tx.Exec(SetGenerateFrom, ("@dep", ids[from].Value), ("@job", ids[job.Name].Value));
                }
            }

            tx.WorkReady = true;
            return new StreamCreated(new StreamId(stream), ids);
        }
}
