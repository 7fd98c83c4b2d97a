using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Shoal.Contracts;

namespace Shoal.Core.Streams;

/// <summary>
/// Binds a request body to its <see cref="Shoal.Contracts"/> record, strictly: names exactly as documented (snake_case,
/// case-sensitive), numbers as JSON numbers, no field twice, at most 32 levels deep. A body of the wrong shape is refused
/// naming the field from its path and the type the record has there (<c>'priority' must be an integer</c>); a body
/// that is not JSON, where it breaks (<see cref="MalformedJson"/>).
/// </summary>
public static class RequestJson
{
    public static JsonSerializerOptions Options { get; } = new(ShoalJson.Options)
    {
        PropertyNameCaseInsensitive = false,
        NumberHandling = JsonNumberHandling.Strict,
        AllowDuplicateProperties = false,
        RespectRequiredConstructorParameters = true,

        // A misspelt field is refused, never dropped (the stream's records keep theirs to name the nearest field).
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        MaxDepth = 32,
    };

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32, AllowDuplicateProperties = false };

    /// <summary>The record, or null and why not; <paramref name="what"/> names the body ("the stream").</summary>
    public static T? Read<T>(string json, string what, out string? error)
        where T : class
    {
        try
        {
            var value = JsonSerializer.Deserialize<T>(json, Options);
            error = value is null ? $"{what} must be a JSON object" : null;
            return value;
        }
        catch (JsonException ex)
        {
            error = Describe<T>(json, ex, what);
            return null;
        }
    }

    /// <summary>The JSON names of a record's fields (what a misspelt field is compared with).</summary>
    public static IReadOnlyList<string> FieldsOf<T>() =>
        [.. Options.GetTypeInfo(typeof(T)).Properties.Where(p => !p.IsExtensionData).Select(p => p.Name)];

    private static string Describe<T>(string json, JsonException ex, string what)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException syntax)
        {
            if (!Duplicate(syntax))
            {
                return MalformedJson.Describe(syntax);
            }

            // A field given twice is said where it is (the serializer's path), as every other fault of a job is.
            using var lenient = Lenient(json);
            return (lenient is null ? "" : Within(typeof(T), Segments(ex.Path ?? "$"), lenient.RootElement).Prefix) + MalformedJson.Describe(syntax);
        }

        using (doc)
        {
            var path = Segments(ex.Path ?? "$");
            var (prefix, rest) = Within(typeof(T), path, doc.RootElement);
            if (ex.Message.Contains("could not be mapped to any .NET member", StringComparison.Ordinal))
            {
                return $"{prefix}{Misspelt(typeof(T), path, doc.RootElement, what) ?? (path.Count > 0 ? Misspelt(typeof(T), path[..^1], doc.RootElement, what) : null) ?? "a field is not known"}";
            }

            if (Missing(ex.Message) is { } missing)
            {
                // A misspelt required field is missing too: name the misspelling, the cause, rather than the absence.
                return $"{prefix}{Misspelt(typeof(T), path, doc.RootElement, what) ?? missing + (missing.Contains(" and ", StringComparison.Ordinal) ? " are required" : " is required")}";
            }

            var expected = Expected(typeof(T), path);
            return (path.Count, rest.Count) switch
            {
                (0, _) => $"{what} must be a JSON object",
                (_, 0) => $"{Text(path)} must be {expected}",
                _ => $"{prefix}'{Text(rest)}' must be {expected}",
            };
        }
    }

    private static bool Duplicate(JsonException ex) => ex.Message.StartsWith("Duplicate property", StringComparison.Ordinal);

    private static JsonDocument? Lenient(string json)
    {
        try
        {
            return JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// A refusal inside an element of a list of objects is said of that element — <c>job 'a': </c> (a stream's job, by its
    /// name, as every other refusal of a job says it) or <c>reports[1]: </c> — then the path within it.
    /// </summary>
    private static (string Prefix, IReadOnlyList<Segment> Inner) Within(Type root, List<Segment> path, JsonElement body)
    {
        if (path is not [{ Name: { } list }, { Index: { } index }, ..] || Options.GetTypeInfo(Expected(root, path[..1], out _)) is not { Kind: JsonTypeInfoKind.Enumerable } info
            || Options.GetTypeInfo(info.ElementType!).Kind != JsonTypeInfoKind.Object)
        {
            return ("", path);
        }

        var rest = path[2..];
        return root == typeof(StreamRequest) && list == "jobs" && JobName(body, index) is { } job
            ? ($"job '{job}': ", rest)
            : ($"{list}[{index}]: ", rest);
    }

    private static string? Misspelt(Type root, List<Segment> path, JsonElement body, string what)
    {
        var type = Expected(root, path, out var known);
        foreach (var segment in path)
        {
            body = segment.Index is { } index
                ? body.ValueKind == JsonValueKind.Array && index < body.GetArrayLength() ? body[index] : default
                : body.ValueKind == JsonValueKind.Object && body.TryGetProperty(segment.Name!, out var field) ? field : default;
        }

        if (!known || body.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var fields = Options.GetTypeInfo(type).Properties.Where(p => !p.IsExtensionData).Select(p => p.Name).ToList();
        var of = type == typeof(StreamRequest) ? "a stream" : type == typeof(JobRequest) ? "a job" : type == typeof(GenerateRequest) ? "'generate'" : type == root ? what : "this object";
        var unknown = body.EnumerateObject().Where(p => !fields.Contains(p.Name, StringComparer.Ordinal)).ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        return KnownFields.Problem(unknown, fields, of);
    }

    /// <summary>The fields .NET says a body lacks ("… missing required properties including: 'lease_id'."), quoted as the body names them.</summary>
    private static string? Missing(string message)
    {
        const string including = "missing required properties including: ";
        var at = message.IndexOf(including, StringComparison.Ordinal);
        return at < 0 ? null : message[(at + including.Length)..].Split(" Path:")[0].TrimEnd('.', ' ').Replace(", ", " and ", StringComparison.Ordinal);
    }

    private static string? JobName(JsonElement root, int index) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("jobs", out var jobs) && jobs.ValueKind == JsonValueKind.Array
            && index < jobs.GetArrayLength() && jobs[index].ValueKind == JsonValueKind.Object
            && jobs[index].TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
            ? name.GetString()
            : null;

    /// <summary>What the record holds at <paramref name="path"/>, in words ("an integer", "an array of strings").</summary>
    private static string Expected(Type root, IReadOnlyList<Segment> path) =>
        Expected(root, path, out var known) is var type && known ? Words(type) : "of another type";

    private static Type Expected(Type root, IReadOnlyList<Segment> path, out bool known)
    {
        var type = root;
        foreach (var segment in path)
        {
            var info = Options.GetTypeInfo(type);
            var next = segment.Index is null
                ? info.Properties.FirstOrDefault(p => p.Name == segment.Name)?.PropertyType
                : info.ElementType;
            if (next is null)
            {
                known = false;
                return typeof(object);
            }

            type = next;
        }

        known = true;
        return type;
    }

    private static string Words(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(int) || type == typeof(long))
        {
            return "an integer";
        }

        if (type == typeof(double))
        {
            return "a number";
        }

        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        var info = Options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Enumerable when info.ElementType == typeof(string) => "an array of strings",
            JsonTypeInfoKind.Enumerable => "an array",
            JsonTypeInfoKind.Object or JsonTypeInfoKind.Dictionary => "an object",
            _ => "of another type",
        };
    }

    private readonly record struct Segment(string? Name, int? Index);

    /// <summary><c>$.jobs[2].depends_on[0]</c> → jobs, [2], depends_on, [0] (a quoted name, <c>$['a.b']</c>, as one).</summary>
    private static List<Segment> Segments(string path)
    {
        var segments = new List<Segment>();
        var i = path.StartsWith('$') ? 1 : 0;
        while (i < path.Length)
        {
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 1)..end], null));
                i = end;
            }
            else if (path[i] == '[' && i + 1 < path.Length && path[i + 1] == '\'')
            {
                var end = path.IndexOf("']", i + 2, StringComparison.Ordinal);
                end = end < 0 ? path.Length : end;
                segments.Add(new Segment(path[(i + 2)..end], null));
                i = Math.Min(path.Length, end + 2);
            }
            else if (path[i] == '[')
            {
                var end = path.IndexOf(']', i);
                end = end < 0 ? path.Length : end;
                segments.Add(int.TryParse(path.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                    ? new Segment(null, index)
                    : new Segment(path[(i + 1)..end], null));
                i = Math.Min(path.Length, end + 1);
            }
            else
            {
                i++;
            }
        }

        return segments;
    }

    private static string Text(IEnumerable<Segment> path) =>
        string.Concat(path.Select((s, n) => s.Index is { } index ? $"[{index}]" : (n == 0 ? "" : ".") + s.Name));
}
