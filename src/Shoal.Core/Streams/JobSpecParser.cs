using System.Text.Json;
using Shoal.Contracts;

namespace Shoal.Core.Streams;

/// <summary>Checks one job of a stream (a bound <see cref="JobRequest"/>) into a <see cref="JobSpec"/>.</summary>
internal static class JobSpecParser
{
    public const int MaxTimeoutSeconds = 366 * 24 * 3600;

    public static JobSpec? Check(JobRequest? job, int index, IReadOnlyCollection<string> agentTypes, out string? error)
    {
        if (job is null)
        {
            error = $"jobs[{index}] must be an object";
            return null;
        }

        if (KnownFields.Problem(job.Unknown, KnownFields.Job, "a job") is { } unknown)
        {
            error = (string.IsNullOrWhiteSpace(job.Name) ? $"jobs[{index}]" : $"job '{job.Name}'") + ": " + unknown;
            return null;
        }

        if (!StreamSpecParser.TryString(job.Name, "name", required: true, out error))
        {
            error = $"jobs[{index}]: {error}";
            return null;
        }

        var name = job.Name;
        if (!StreamSpecParser.TryString(job.Type, "type", required: true, out error))
        {
            error = $"job '{name}': {error}";
            return null;
        }

        if (!agentTypes.Contains(job.Type)) // a dictionary's keys or a set: a lookup, not a scan
        {
            var nearest = Spelling.Nearest(job.Type, agentTypes);
            error = $"job '{name}': unknown agent type '{job.Type}'" + (nearest is not null ? $" (did you mean '{nearest}'?)"
                : agentTypes.Count is > 0 and <= 12 ? $" (the agent types: {string.Join(", ", agentTypes.Order(StringComparer.Ordinal))})" : "");
            return null;
        }

        if (job.DependsOn?.Any(d => d is null) == true)
        {
            error = $"job '{name}': 'depends_on' must be an array of job names";
            return null;
        }

        var deps = job.DependsOn?.Distinct().ToList() ?? [];
        string? generateFrom = null;
        GeneratorSpec? generator = null;
        List<PartSpec>? parts;
        if (job.Generate is not null)
        {
            if (job.Parts is not null)
            {
                error = $"job '{name}': give either 'parts' or 'generate', not both";
                return null;
            }

            if (!GenerateParser.TryCheck(job.Generate, name, out generateFrom, out generator, out error))
            {
                return null;
            }

            if (generateFrom is not null && !deps.Contains(generateFrom))
            {
                deps.Add(generateFrom);
            }

            parts = [];
        }
        else
        {
            parts = Parts(job.Parts, name, out error);
            if (parts is null)
            {
                return null;
            }
        }

        TimeSpan? timeout = null;
        if (job.Timeout is { } seconds)
        {
            // At most a year: a time-out is an operator's bound on a job, and past TimeSpan's range the arithmetic fails.
            if (seconds is <= 0 or > MaxTimeoutSeconds)
            {
                error = $"job '{name}': 'timeout' must be a positive number of seconds, at most {MaxTimeoutSeconds} (a year)";
                return null;
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        if (job.RequiresTags?.Any(string.IsNullOrWhiteSpace) == true)
        {
            error = $"job '{name}': 'requires_tags' must be an array of non-empty strings";
            return null;
        }

        if (job.WaitForLock is not (null or "sweep"))
        {
            error = $"job '{name}': 'wait_for_lock' must be \"sweep\" (the only lock there is)";
            return null;
        }

        error = null;
        return new JobSpec(name, job.Type, deps, parts, timeout, generateFrom, generator, job.RequiresTags?.Distinct().ToList(), job.WaitForLock);
    }

    /// <summary>A job's given parts as sent to agents (a job without any has one empty part), or what is wrong with one.</summary>
    public static List<PartSpec>? Parts(IReadOnlyList<JsonElement>? given, string name, out string? error)
    {
        error = null;
        if (given is null)
        {
            return [new PartSpec("", null)];
        }

        if (given.Count == 0)
        {
            error = $"job '{name}': 'parts' must be a non-empty array";
            return null;
        }

        var parts = new List<PartSpec>(given.Count);
        for (var i = 0; i < given.Count; i++)
        {
            var part = given[i];
            switch (part.ValueKind)
            {
                case JsonValueKind.String:
                    var text = part.GetString()!;
                    if (LineSafe.Problem(text) is { } unsafeText)
                    {
                        error = $"job '{name}': parts[{i}] {unsafeText}";
                        return null;
                    }

                    parts.Add(new PartSpec(text, null));
                    break;
                case JsonValueKind.Object:
                    string? key = null;
                    if (part.TryGetProperty("key", out var k))
                    {
                        if (k.ValueKind != JsonValueKind.String)
                        {
                            error = $"job '{name}': parts[{i}].key must be a string";
                            return null;
                        }

                        key = k.GetString();
                    }

                    parts.Add(new PartSpec(JsonSerializer.Serialize(part), key, IsJson: true)); // one line, whatever the sender's layout
                    break;
                default:
                    error = $"job '{name}': parts[{i}] must be a string or an object";
                    return null;
            }
        }

        return parts;
    }
}
