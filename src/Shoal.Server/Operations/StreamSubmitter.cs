using Shoal.Core.Model;
using Shoal.Core.Streams;
using Shoal.Server.Broker;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Operations;

/// <summary>Submits a stream from its JSON (the REST submit and the schedules): parse, check, store, wake who waits for work.</summary>
internal sealed class StreamSubmitter(IQueueStore store, ConfigHolder config, TimeProvider time, WorkChanged changes)
{
    /// <summary>Checks a stream's JSON against the agent types in force; null when it would be accepted.</summary>
    public string? Check(string json) => Parse(json).Error;

    /// <summary>What a stream's JSON would create, checked exactly as a submit checks it, without storing anything.</summary>
    public (StreamSpec? Spec, string? Error) Validate(string json) => Parse(json);

    /// <summary>A reader of a stream sent a line at a time (NDJSON) against the agent types in force; its <see cref="StreamLines.Finish"/> goes to <see cref="SubmitAsync(SpecResult, CancellationToken)"/>.</summary>
    public StreamLines Lines() => new(AgentTypes());

    public Task<(StreamCreated? Created, string? Error)> SubmitAsync(string json, CancellationToken ct) =>
        SubmitAsync(StreamSpecParser.Parse(json, AgentTypes()), ct);

    /// <summary>What <see cref="Validate(string)"/> says of a stream read a line at a time.</summary>
    public (StreamSpec? Spec, string? Error) Validate(SpecResult parsed) => Checked(parsed);

    public async Task<(StreamCreated? Created, string? Error)> SubmitAsync(SpecResult parsed, CancellationToken ct)
    {
        using var span = Metrics.Telemetry.Source.StartActivity("shoal.submit");
        var (spec, error) = Checked(parsed);
        if (spec is null)
        {
            span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, error);
            return (null, error);
        }

        var types = config.Current.AgentTypes;
        var created = await store.SubmitAsync(spec, t => new JobRules(types[t].Retries, types[t].OnPartFailure, types[t].Retry), time.GetUtcNow(), ct).ConfigureAwait(false);
        changes.Raise(spec.Jobs.Any(j => j.Generator is not null) ? Change.PartsReady | Change.Generate : Change.PartsReady);
        span?.SetTag("shoal.stream", created.Id.Value);
        span?.SetTag("shoal.stream.name", spec.Name);
        span?.SetTag("shoal.jobs", spec.Jobs.Count);

        return (created, null);
    }

    public IReadOnlyCollection<string> AgentTypes() =>
        config.Current.AgentTypes.Keys as IReadOnlyCollection<string> ?? [.. config.Current.AgentTypes.Keys];

    private (StreamSpec? Spec, string? Error) Parse(string json) => Checked(StreamSpecParser.Parse(json, AgentTypes()));

    /// <summary>The checks that need the configuration in force, after the format's own.</summary>
    private (StreamSpec? Spec, string? Error) Checked(SpecResult parsed)
    {
        if (parsed.Spec is null)
        {
            return (null, parsed.Error);
        }

        foreach (var job in parsed.Spec.Jobs)
        {
            // Tags select pull agents (their tokens carry them); a spawned type's agents have none, so the job would
            // run anywhere: refused rather than ignored.
            if (job.RequiresTags is { Count: > 0 } && config.Current.AgentTypes[job.Type].Kind == AgentKind.Spawned)
            {
                return (null, $"job '{job.Name}': 'requires_tags' selects pull agents by their tokens' tags; agent type '{job.Type}' is spawned (its agents have no tags)");
            }

            if (job.Generator?.File is { } file && InputFiles.Problem(file, config.Current.InputsDir) is { } problem)
            {
                return (null, $"job '{job.Name}': 'generate.file': {problem}");
            }
        }

        // A host list is kept by its canonical path: read later, it must still be that file (InputFiles.StillAsChecked).
        var jobs = parsed.Spec.Jobs.Select(j => j.Generator?.File is { } f ? j with { Generator = j.Generator with { File = InputFiles.Canonical(f) } } : j).ToList();
        return (parsed.Spec with { Jobs = jobs }, null);
    }
}
