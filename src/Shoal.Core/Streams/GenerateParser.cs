using Shoal.Contracts;

namespace Shoal.Core.Streams;

/// <summary>Checks a job's <c>generate</c>: <c>{"from": "job"}</c>, <c>{"range": "10.2.0.0/16", "chunk": 1}</c> or <c>{"file": "/abs/hosts.txt"}</c>.</summary>
internal static class GenerateParser
{
    public static bool TryCheck(GenerateRequest gen, string job, out string? from, out GeneratorSpec? generator, out string? error)
    {
        from = null;
        generator = null;
        error = null;
        if (KnownFields.Problem(gen.Unknown, KnownFields.Generate, "'generate'") is { } unknown)
        {
            error = $"job '{job}': {unknown}";
            return false;
        }

        var kinds = new[] { ("from", gen.From), ("range", gen.Range), ("file", gen.File) }.Where(k => k.Item2 is not null).Select(k => k.Item1).ToList();
        if (kinds.Count > 1)
        {
            error = $"job '{job}': 'generate' takes one of 'from', 'range' or 'file', not {string.Join(" and ", kinds.Select(k => $"'{k}'"))}";
            return false;
        }

        if (gen.From is not null)
        {
            from = gen.From;
            return true;
        }

        var chunk = gen.Chunk ?? 1;
        if (chunk is < 1 or > 65536)
        {
            error = $"job '{job}': 'generate.chunk' must be an integer from 1 to 65536";
            return false;
        }

        if (gen.File is not null)
        {
            if (!Path.IsPathFullyQualified(gen.File))
            {
                error = $"job '{job}': 'generate.file' must be an absolute path to a host list on the server";
                return false;
            }

            generator = new GeneratorSpec(null, chunk, gen.File);
            return true;
        }

        if (gen.Range is null)
        {
            error = $"job '{job}': 'generate' needs 'from' (a job), 'range' (an address range) or 'file' (a host list)";
            return false;
        }

        if (!IpRange.TryParse(gen.Range, out _, out var rangeError))
        {
            error = $"job '{job}': 'generate.range': {rangeError}";
            return false;
        }

        generator = new GeneratorSpec(gen.Range, chunk);
        return true;
    }
}
