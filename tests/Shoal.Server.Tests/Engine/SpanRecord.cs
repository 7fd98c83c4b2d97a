using System.Globalization;

namespace Shoal.Server.Tests.Engine;

/// <summary>One line written by <c>Agents/span.sh</c>: a part processed, when, by which process, where.</summary>
internal sealed record SpanRecord(string Payload, long Start, long End, int Pid, string Type, string Where)
{
    public static List<SpanRecord> Read(string file) => File.Exists(file)
        ? File.ReadAllLines(file).Select(l => l.Split(' ')).Where(w => w.Length == 6).Select(w => new SpanRecord(
            w[0], long.Parse(w[1], CultureInfo.InvariantCulture), long.Parse(w[2], CultureInfo.InvariantCulture),
            int.Parse(w[3], CultureInfo.InvariantCulture), w[4], w[5])).ToList()
        : [];

    /// <summary>The largest number of spans running at one instant.</summary>
    public static int MaxOverlap(IEnumerable<SpanRecord> spans)
    {
        var events = spans.SelectMany(s => new[] { (T: s.Start, D: 1), (T: s.End, D: -1) }).OrderBy(e => e.T).ThenBy(e => e.D);
        int current = 0, max = 0;
        foreach (var (_, d) in events)
        {
            current += d;
            max = Math.Max(max, current);
        }

        return max;
    }

    public bool Overlaps(SpanRecord other) => Start < other.End && other.Start < End;

    /// <summary>An agent conf running span.sh for <paramref name="type"/>.</summary>
    public static string Conf(string type, string record, int max, string delay = "0.05", string extra = "") =>
        $"[default]\ncommand = {TestServer.TestAgent("span")} --type={type} --record={record} --delay={delay}\nmax = {max}\n{extra}\n";
}
