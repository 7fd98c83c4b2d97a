using System.Text.Json;

namespace Shoal.Core.Streams;

/// <summary>Parses one element of a stream's <c>jobs</c> array.</summary>
internal static class JobSpecParser
{
    public const int MaxTimeoutSeconds = 366 * 24 * 3600;

    public static JobSpec? Parse(JsonElement el, int index, IReadOnlyCollection<string> agentTypes, out string? error)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            error = $"jobs[{index}] must be an object";
            return null;
        }

        if (KnownFields.Problem(el, KnownFields.Job, "a job") is { } unknown)
        {
            error = (el.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? $"job '{n.GetString()}'" : $"jobs[{index}]") + ": " + unknown;
            return null;
        }

        if (!StreamSpecParser.TryString(el, "name", required: true, out var name, out error))
        {
            error = $"jobs[{index}]: {error}";
            return null;
        }

        if (!StreamSpecParser.TryString(el, "type", required: true, out var type, out error))
        {
            error = $"job '{name}': {error}";
            return null;
        }

        if (!agentTypes.Contains(type!)) // a dictionary's keys or a set: a lookup, not a scan
        {
            var nearest = KnownFields.Nearest(type!, agentTypes);
            error = $"job '{name}': unknown agent type '{type}'" + (nearest is not null ? $" (did you mean '{nearest}'?)"
                : agentTypes.Count is > 0 and <= 12 ? $" (the agent types: {string.Join(", ", agentTypes.Order(StringComparer.Ordinal))})" : "");
            return null;
        }

        var deps = new List<string>();
        if (el.TryGetProperty("depends_on", out var depsEl))
        {
            if (depsEl.ValueKind != JsonValueKind.Array || depsEl.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
            {
                error = $"job '{name}': 'depends_on' must be an array of job names";
                return null;
            }

            deps.AddRange(depsEl.EnumerateArray().Select(d => d.GetString()!).Distinct());
        }

        string? generateFrom = null;
        GeneratorSpec? generator = null;
        List<PartSpec>? parts;
        if (el.TryGetProperty("generate", out var gen))
        {
            if (el.TryGetProperty("parts", out _))
            {
                error = $"job '{name}': give either 'parts' or 'generate', not both";
                return null;
            }

            if (!GenerateParser.TryParse(gen, name!, out generateFrom, out generator, out error))
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
            parts = ParseParts(el, name!, out error);
            if (parts is null)
            {
                return null;
            }
        }

        TimeSpan? timeout = null;
        if (el.TryGetProperty("timeout", out var t))
        {
            // At most a year: a time-out is an operator's bound on a job, and past TimeSpan's range the arithmetic fails.
            if (t.ValueKind != JsonValueKind.Number || !t.TryGetDouble(out var seconds) || seconds <= 0 || seconds > MaxTimeoutSeconds)
            {
                error = $"job '{name}': 'timeout' must be a positive number of seconds, at most {MaxTimeoutSeconds} (a year)";
                return null;
            }

            timeout = TimeSpan.FromSeconds(seconds);
        }

        List<string>? tags = null;
        if (el.TryGetProperty("requires_tags", out var tagsEl))
        {
            if (tagsEl.ValueKind != JsonValueKind.Array || tagsEl.EnumerateArray().Any(t => t.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(t.GetString())))
            {
                error = $"job '{name}': 'requires_tags' must be an array of non-empty strings";
                return null;
            }

            tags = tagsEl.EnumerateArray().Select(t => t.GetString()!).Distinct().ToList();
        }

        string? waitForLock = null;
        if (el.TryGetProperty("wait_for_lock", out var lockEl))
        {
            if (lockEl.ValueKind != JsonValueKind.String || lockEl.GetString() != "sweep")
            {
                error = $"job '{name}': 'wait_for_lock' must be \"sweep\" (the only lock there is)";
                return null;
            }

            waitForLock = "sweep";
        }

        error = null;
        return new JobSpec(name!, type!, deps, parts, timeout, generateFrom, generator, tags, waitForLock);
    }

    private static List<PartSpec>? ParseParts(JsonElement el, string name, out string? error)
    {
        error = null;
        if (!el.TryGetProperty("parts", out var partsEl))
        {
            return [new PartSpec("", null)];
        }

        if (partsEl.ValueKind != JsonValueKind.Array || partsEl.GetArrayLength() == 0)
        {
            error = $"job '{name}': 'parts' must be a non-empty array";
            return null;
        }

        var parts = new List<PartSpec>(partsEl.GetArrayLength());
        var i = 0;
        foreach (var part in partsEl.EnumerateArray())
        {
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

                    parts.Add(new PartSpec(JsonSerializer.Serialize(part), key, IsJson: true));
                    break;
                default:
                    error = $"job '{name}': parts[{i}] must be a string or an object";
                    return null;
            }

            i++;
        }

        return parts;
    }
}
