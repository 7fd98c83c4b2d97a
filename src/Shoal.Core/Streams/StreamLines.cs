using Shoal.Contracts;

namespace Shoal.Core.Streams;

/// <summary>
/// A stream sent as NDJSON, a line at a time: the first line is the stream (<see cref="StreamRequest"/>, checked as a
/// submit checks it); every later line, <c>{"job": "scan", "parts": [...]}</c> (<see cref="StreamPartsLine"/>), adds
/// parts to one of its jobs — to those it gave, or instead of the one empty part of a job that gave none. Blank lines are
/// skipped. Each refusal names its line. What a line holds becomes parts at once; no line is kept.
/// </summary>
public sealed class StreamLines(IReadOnlyCollection<string> agentTypes)
{
    private StreamSpec? _stream;
    private readonly Dictionary<string, List<PartSpec>> _added = new(StringComparer.Ordinal);
    private readonly HashSet<string> _gaveNone = new(StringComparer.Ordinal);
    private int _line;

    /// <summary>Takes the next line; null when it was taken, else why the stream is refused.</summary>
    public string? Add(string line)
    {
        _line++;
        if (string.IsNullOrWhiteSpace(line))
        {
            return null;
        }

        if (_stream is null)
        {
            var request = RequestJson.Read<StreamRequest>(line, "the stream", out var error);
            var checkedStream = request is null ? SpecResult.Fail(error!) : StreamSpecParser.Check(request, agentTypes);
            if (checkedStream.Spec is null)
            {
                return $"line {_line}: {checkedStream.Error}";
            }

            _stream = checkedStream.Spec;
            _gaveNone.UnionWith(request!.Jobs.Where(j => j.Parts is null && j.Generate is null).Select(j => j.Name));
            return null;
        }

        var parts = RequestJson.Read<StreamPartsLine>(line, "a line of parts", out var invalid);
        if (parts is null)
        {
            return $"line {_line}: {invalid}";
        }

        var job = _stream.Jobs.FirstOrDefault(j => j.Name == parts.Job);
        if (job is null)
        {
            return $"line {_line}: the stream (line 1) has no job '{parts.Job}'";
        }

        if (job.Generator is not null || job.GenerateFrom is not null)
        {
            return $"line {_line}: job '{job.Name}' generates its parts; it takes none";
        }

        var specs = JobSpecParser.Parts(parts.Parts, job.Name, out invalid);
        if (specs is null || specs.Count == 0)
        {
            return $"line {_line}: {invalid ?? $"job '{job.Name}': 'parts' must be a non-empty array"}";
        }

        if (!_added.TryGetValue(job.Name, out var list))
        {
            _added[job.Name] = list = [];
        }

        list.AddRange(specs);
        return null;
    }

    /// <summary>The whole stream once every line is in.</summary>
    public SpecResult Finish()
    {
        if (_stream is null)
        {
            return SpecResult.Fail("the body has no lines: its first line is the stream");
        }

        var jobs = _stream.Jobs.Select(j => _added.TryGetValue(j.Name, out var added)
            ? j with { Parts = _gaveNone.Contains(j.Name) ? added : [.. j.Parts, .. added] }
            : j).ToList();
        return SpecResult.Ok(_stream with { Jobs = jobs });
    }
}
