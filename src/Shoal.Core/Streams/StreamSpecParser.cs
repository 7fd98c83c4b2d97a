using System.Text.Json;

namespace Shoal.Core.Streams;

/// <summary>
/// Parses and validates job stream JSON (DESIGN.md "Job stream JSON"). Every refusal names
/// the field or the job at fault, so that a 400 answer tells the user what to fix.
/// </summary>
public static class StreamSpecParser
{
    public const int MaxNameLength = 200;

    public static SpecResult Parse(string json, IReadOnlyCollection<string> agentTypes)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            return SpecResult.Fail(MalformedJson.Describe(ex));
        }

        using (doc)
        {
            return Parse(doc.RootElement, agentTypes);
        }
    }

    public static SpecResult Parse(JsonElement root, IReadOnlyCollection<string> agentTypes)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return SpecResult.Fail("the stream must be a JSON object");
        }

        if (KnownFields.Problem(root, KnownFields.Stream, "a stream") is { } unknown)
        {
            return SpecResult.Fail(unknown);
        }

        if (!TryString(root, "name", required: true, out var name, out var error))
        {
            return SpecResult.Fail(error!);
        }

        if (!TryString(root, "owner", required: false, out var owner, out error))
        {
            return SpecResult.Fail(error!);
        }

        var priority = 0;
        if (root.TryGetProperty("priority", out var p) && !(p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out priority)))
        {
            return SpecResult.Fail("'priority' must be an integer");
        }

        if (!root.TryGetProperty("jobs", out var jobsEl) || jobsEl.ValueKind != JsonValueKind.Array || jobsEl.GetArrayLength() == 0)
        {
            return SpecResult.Fail("'jobs' must be a non-empty array");
        }

        var jobs = new List<JobSpec>();
        var index = 0;
        foreach (var jobEl in jobsEl.EnumerateArray())
        {
            var job = JobSpecParser.Parse(jobEl, index++, agentTypes, out error);
            if (job is null)
            {
                return SpecResult.Fail(error!);
            }

            if (jobs.Any(j => j.Name == job.Name))
            {
                return SpecResult.Fail($"job '{job.Name}': the name is used twice");
            }

            jobs.Add(job);
        }

        error = DependencyCheck.Find(jobs);
        return error is null
            ? SpecResult.Ok(new StreamSpec(name!, owner ?? "", priority, jobs))
            : SpecResult.Fail(error);
    }

    internal static bool TryString(JsonElement obj, string field, bool required, out string? value, out string? error)
    {
        value = null;
        error = null;
        if (!obj.TryGetProperty(field, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                error = $"'{field}' is required";
                return false;
            }

            return true;
        }

        if (el.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(el.GetString()))
        {
            error = $"'{field}' must be a non-empty string";
            return false;
        }

        value = el.GetString()!;
        if (value.Length > MaxNameLength)
        {
            error = $"'{field}' is longer than {MaxNameLength} characters";
            return false;
        }

        return true;
    }
}
