using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Client;

/// <summary>
/// Builds a job stream in code (the fields of docs/streams.md):
/// <code>
/// var stream = new StreamBuilder("upload-42").Priority(5)
///     .Job("unpack", "unpack", j => j.Parts("upload-42.tar.gz"))
///     .Job("scan", "scan", j => j.DependsOn("unpack").Parts("a.c", "b.c"))
///     .Build();
/// </code>
/// The server checks what a builder cannot (agent types, dependency names, cycles): <see cref="ShoalClient.CheckAsync(StreamRequest, CancellationToken)"/>.
/// </summary>
public sealed class StreamBuilder(string name)
{
    private readonly List<JobRequest> _jobs = [];
    private string? _owner;
    private int _priority;

    /// <summary>Who is told when the stream ends (an email address, with the server's <c>[EMAILNOTIFY]</c>).</summary>
    public StreamBuilder Owner(string owner)
    {
        _owner = owner;
        return this;
    }

    /// <summary>Higher goes first; default 0.</summary>
    public StreamBuilder Priority(int priority)
    {
        _priority = priority;
        return this;
    }

    /// <summary>Adds a job of agent type <paramref name="type"/>; <paramref name="configure"/> gives its parts and the rest.</summary>
    public StreamBuilder Job(string jobName, string type, Action<JobBuilder>? configure = null)
    {
        var job = new JobBuilder(jobName, type);
        configure?.Invoke(job);
        _jobs.Add(job.Build());
        return this;
    }

    /// <summary>The stream as <see cref="ShoalClient.SubmitAsync(StreamRequest, CancellationToken)"/> sends it.</summary>
    public StreamRequest Build() => _jobs.Count == 0
        ? throw new InvalidOperationException($"stream '{name}' has no jobs")
        : new StreamRequest(name, [.. _jobs], _owner, _priority);
}

/// <summary>One job of a <see cref="StreamBuilder"/>.</summary>
public sealed class JobBuilder
{
    private readonly string _name;
    private readonly string _type;
    private readonly List<JsonElement> _parts = [];
    private readonly List<string> _dependsOn = [];
    private readonly List<string> _tags = [];
    private GenerateRequest? _generate;
    private double? _timeout;
    private string? _waitForLock;

    internal JobBuilder(string name, string type)
    {
        _name = name;
        _type = type;
    }

    /// <summary>Parts as lines of text (an agent reads one line a part).</summary>
    public JobBuilder Parts(params IEnumerable<string> parts)
    {
        _parts.AddRange(parts.Select(p => JsonSerializer.SerializeToElement(p, ShoalJson.Options)));
        return this;
    }

    /// <summary>Parts as JSON objects (sent to pull agents as they are; a <c>key</c> string is the affinity key).</summary>
    public JobBuilder ObjectParts<T>(IEnumerable<T> parts)
        where T : notnull
    {
        _parts.AddRange(parts.Select(p => JsonSerializer.SerializeToElement(p, ShoalJson.Options)));
        return this;
    }

    /// <summary>One part per address of a range (CIDR or <c>first-last</c>), <paramref name="chunk"/> addresses a part.</summary>
    public JobBuilder Range(string range, int chunk = 1) => Generate(new GenerateRequest(Range: range, Chunk: chunk));

    /// <summary>One part per line of a host list on the server (under its <c>[DIRECTORIES] inputs</c>).</summary>
    public JobBuilder File(string path, int chunk = 1) => Generate(new GenerateRequest(File: path, Chunk: chunk));

    /// <summary>One part per item <paramref name="job"/>'s agents report; the job depends on it by itself.</summary>
    public JobBuilder From(string job) => Generate(new GenerateRequest(From: job));

    /// <summary>Starts when these jobs completed; cancelled when one fails.</summary>
    public JobBuilder DependsOn(params IEnumerable<string> jobs)
    {
        _dependsOn.AddRange(jobs);
        return this;
    }

    /// <summary>Only agents whose token carries every one of these tags lease its parts.</summary>
    public JobBuilder RequiresTags(params IEnumerable<string> tags)
    {
        _tags.AddRange(tags);
        return this;
    }

    /// <summary>The job fails (<c>timed out</c>) when it runs longer.</summary>
    public JobBuilder Timeout(TimeSpan timeout)
    {
        _timeout = timeout.TotalSeconds;
        return this;
    }

    /// <summary>Holds the job's parts while a sweep holds the sweep lock.</summary>
    public JobBuilder WaitForSweepLock()
    {
        _waitForLock = "sweep";
        return this;
    }

    internal JobRequest Build() => new(
        _name,
        _type,
        _parts.Count == 0 ? null : [.. _parts],
        _generate,
        _dependsOn.Count == 0 ? null : [.. _dependsOn],
        _tags.Count == 0 ? null : [.. _tags],
        _timeout,
        _waitForLock);

    private JobBuilder Generate(GenerateRequest generate)
    {
        _generate = generate;
        return this;
    }
}
