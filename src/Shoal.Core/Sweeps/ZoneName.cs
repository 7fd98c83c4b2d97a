using System.Text.RegularExpressions;

namespace Shoal.Core.Sweeps;

/// <summary>
/// What may name a sweep zone: letters, digits, <c>.</c>, <c>_</c>, <c>-</c>, at most 64 (it becomes the tag
/// <c>zone:NAME</c> of the agent tokens of the zone's collectors, and part of a job's name).
/// </summary>
public static partial class ZoneName
{
    /// <summary>The tag an agent token carries to collect in <paramref name="zone"/>.</summary>
    public static string Tag(string zone) => "zone:" + zone;

    /// <summary>The zone a tag names, or null when it is no zone tag.</summary>
    public static string? OfTag(string tag) => tag.StartsWith("zone:", StringComparison.Ordinal) && tag.Length > 5 ? tag[5..] : null;

    public static string? Problem(string zone) =>
        zone.Length > 64 ? "is longer than 64 characters"
        : Valid().IsMatch(zone) ? null
        : "is not a zone name (letters, digits, '.', '_', '-'; starting with a letter or digit)";

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex Valid();
}
