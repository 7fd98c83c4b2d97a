using Shoal.Contracts;

namespace Shoal.Core.Streams;

/// <summary>
/// Binds a stream's JSON to its wire record (<see cref="StreamRequest"/>, strictly: <see cref="RequestJson"/>) and
/// checks it into a <see cref="StreamSpec"/>. Every refusal names the field or the job at fault, so that a 400 answer
/// tells the user what to fix.
/// </summary>
public static class StreamSpecParser
{
    public const int MaxNameLength = 200;

    public static SpecResult Parse(string json, IReadOnlyCollection<string> agentTypes)
    {
        var request = RequestJson.Read<StreamRequest>(json, "the stream", out var error);
        return request is null ? SpecResult.Fail(error!) : Check(request, agentTypes);
    }

    public static SpecResult Check(StreamRequest request, IReadOnlyCollection<string> agentTypes)
    {
        if (KnownFields.Problem(request.Unknown, KnownFields.Stream, "a stream") is { } unknown)
        {
            return SpecResult.Fail(unknown);
        }

        if (!TryString(request.Name, "name", required: true, out var error) || !TryString(request.Owner, "owner", required: false, out error))
        {
            return SpecResult.Fail(error!);
        }

        if (request.Jobs is not { Count: > 0 })
        {
            return SpecResult.Fail("'jobs' must be a non-empty array");
        }

        var jobs = new List<JobSpec>(request.Jobs.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var index = 0; index < request.Jobs.Count; index++)
        {
            var job = JobSpecParser.Check(request.Jobs[index], index, agentTypes, out error);
            if (job is null)
            {
                return SpecResult.Fail(error!);
            }

            if (!names.Add(job.Name))
            {
                return SpecResult.Fail($"job '{job.Name}': the name is used twice");
            }

            jobs.Add(job);
        }

        // The cap on a range is the stream's, not each job's: 5,000 jobs of a /8 each would be 84 billion parts.
        var addresses = jobs.Where(j => j.Generator?.Range is not null)
            .Aggregate(System.Numerics.BigInteger.Zero, (sum, j) => sum + (IpRange.TryParse(j.Generator!.Range!, out var r, out _) ? r!.Count : 0));
        if (addresses > IpRange.MaxAddresses)
        {
            return SpecResult.Fail($"the stream's ranges hold {addresses} addresses in all; at most {IpRange.MaxAddresses} per stream");
        }

        error = DependencyCheck.Find(jobs);
        return error is null
            ? SpecResult.Ok(new StreamSpec(request.Name, request.Owner ?? "", request.Priority, jobs))
            : SpecResult.Fail(error);
    }

    /// <summary>A name-like field: present when required, never blank, at most <see cref="MaxNameLength"/> characters.</summary>
    internal static bool TryString(string? value, string field, bool required, out string? error)
    {
        error = value switch
        {
            null when required => $"'{field}' is required",
            null => null,
            _ when string.IsNullOrWhiteSpace(value) => $"'{field}' must be a non-empty string",
            { Length: > MaxNameLength } => $"'{field}' is longer than {MaxNameLength} characters",

            // Names reach logs, tables, the line protocol and an email's subject and recipient: one line, shown as written.
            _ when value.Any(c => char.IsControl(c) || c is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'))
                => $"'{field}' must not contain control characters (line breaks, NUL, direction overrides)",
            _ => null,
        };
        return error is null;
    }
}
