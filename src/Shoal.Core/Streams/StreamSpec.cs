namespace Shoal.Core.Streams;

/// <summary>A validated job stream as submitted.</summary>
public sealed record StreamSpec(string Name, string Owner, int Priority, IReadOnlyList<JobSpec> Jobs);

/// <summary>One job of a submitted stream.</summary>
public sealed record JobSpec(
    string Name,
    string Type,
    IReadOnlyList<string> DependsOn,
    IReadOnlyList<PartSpec> Parts,
    TimeSpan? Timeout,
    string? GenerateFrom = null,
    GeneratorSpec? Generator = null,
    IReadOnlyList<string>? RequiresTags = null,
    string? WaitForLock = null,
    CollectorSpec? Collector = null);

/// <summary>
/// A sweep's collector: the command run for each host part (<c>{host}</c> replaced), at most
/// <paramref name="Threads"/> at once, each killed after <paramref name="HostTimeout"/>.
/// </summary>
public sealed record CollectorSpec(IReadOnlyList<string> Command, bool Shell, TimeSpan HostTimeout, int Threads, int OutputLimit);

/// <summary>
/// Parts generated in the background: from an address <paramref name="Range"/>, or from a host list
/// <paramref name="File"/> on the server (one host a line; blank lines and <c>#</c> comments skipped),
/// <paramref name="Chunk"/> addresses or hosts per part.
/// </summary>
public sealed record GeneratorSpec(string? Range, int Chunk, string? File = null)
{
    /// <summary>The hosts of a list file: one a line, blank lines and <c>#</c> comments skipped.</summary>
    /// <remarks>A line with a NUL is skipped: it could never be sent to an agent (see <see cref="LineSafe"/>).</remarks>
    public static IEnumerable<string> Hosts(IEnumerable<string> lines) =>
        lines.Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] != '#' && LineSafe.Problem(l) is null);
}

/// <summary>One part: its payload as sent to the agent, and an optional affinity key.</summary>
/// <remarks><paramref name="IsJson"/> says the payload is the JSON text of an object part (the API returns it as an object).</remarks>
public sealed record PartSpec(string Payload, string? Key, bool IsJson = false)
{
    /// <summary>The key's first byte when the key starts with two hex digits (affinity routes on it), else null.</summary>
    public static int? KeyByte(string? key) =>
        key is { Length: >= 2 } && int.TryParse(key.AsSpan(0, 2), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out var b)
            ? b
            : null;
}
