using System.Text.Json;

namespace Shoal.Core.Streams;

/// <summary>Parses a job's <c>generate</c>: <c>{"from": "job"}</c> or <c>{"range": "10.2.0.0/16", "chunk": 1}</c>.</summary>
internal static class GenerateParser
{
    private static readonly string[] Kinds = ["from", "range", "file"];

    public static bool TryParse(JsonElement gen, string job, out string? from, out GeneratorSpec? generator, out string? error)
    {
        from = null;
        generator = null;
        error = null;
        if (gen.ValueKind != JsonValueKind.Object)
        {
            error = $"job '{job}': 'generate' must be an object: {{\"from\": \"<job>\"}} or {{\"range\": \"<cidr or first-last>\", \"chunk\": n}}";
            return false;
        }

        if (KnownFields.Problem(gen, KnownFields.Generate, "'generate'") is { } unknown)
        {
            error = $"job '{job}': {unknown}";
            return false;
        }

        var kinds = Kinds.Where(k => gen.TryGetProperty(k, out _)).ToList();
        if (kinds.Count > 1)
        {
            error = $"job '{job}': 'generate' takes one of 'from', 'range' or 'file', not {string.Join(" and ", kinds.Select(k => $"'{k}'"))}";
            return false;
        }

        if (gen.TryGetProperty("from", out var f))
        {
            if (f.ValueKind != JsonValueKind.String)
            {
                error = $"job '{job}': 'generate.from' must be a job name";
                return false;
            }

            from = f.GetString();
            return true;
        }

        var chunk = 1;
        if (gen.TryGetProperty("chunk", out var c) && (c.ValueKind != JsonValueKind.Number || !c.TryGetInt32(out chunk) || chunk < 1 || chunk > 65536))
        {
            error = $"job '{job}': 'generate.chunk' must be an integer from 1 to 65536";
            return false;
        }

        if (gen.TryGetProperty("file", out var file))
        {
            if (file.ValueKind != JsonValueKind.String || !Path.IsPathFullyQualified(file.GetString()!))
            {
                error = $"job '{job}': 'generate.file' must be an absolute path to a host list on the server";
                return false;
            }

            generator = new GeneratorSpec(null, chunk, file.GetString());
            return true;
        }

        if (!gen.TryGetProperty("range", out var r) || r.ValueKind != JsonValueKind.String)
        {
            error = $"job '{job}': 'generate' needs 'from' (a job), 'range' (an address range) or 'file' (a host list)";
            return false;
        }

        if (!IpRange.TryParse(r.GetString()!, out _, out var rangeError))
        {
            error = $"job '{job}': 'generate.range': {rangeError}";
            return false;
        }

        generator = new GeneratorSpec(r.GetString()!, chunk);
        return true;
    }
}
