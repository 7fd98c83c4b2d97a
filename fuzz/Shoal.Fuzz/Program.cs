// Coverage-guided fuzzing of Shoal's parsers of outside input with SharpFuzz and AFL++ (see fuzz/README.md).
//   dotnet Shoal.Fuzz.dll <target>   reads inputs from AFL (out of process); targets: ini, agentconf, agentline, port, csv, stream, range
// A parser may refuse an input only with its own clear error; any other exception is a finding.
using System.Text;
using SharpFuzz;
using Shoal.Core.CommandPort;
using Shoal.Core.Config;
using Shoal.Core.Protocol;
using Shoal.Core.Streams;
using Shoal.Core.Sweeps;

var target = args.FirstOrDefault() ?? "";
Action<string> run = target switch
{
    "ini" => text => Expect<ConfigException>(() => IniDocument.Parse("fuzz.conf", text)),
    "agentconf" => AgentConf,
    "agentline" => text =>
    {
        foreach (var line in text.Split('\n'))
        {
            _ = AgentMessage.Parse(line);
        }
    },
    "port" => text => _ = PortCommand.Parse(text),
    "csv" => text => Expect<HostCsvException>(() => HostCsv.Parse(text, "host", "env", ["prod"])),
    "stream" => text =>
    {
        var result = StreamSpecParser.Parse(text, t => t == "scan");
        if ((result.Spec is null) == (result.Error is null))
        {
            throw new InvalidOperationException("a stream parse must give exactly one of a spec and an error");
        }
    },
    "range" => text =>
    {
        if (IpRange.TryParse(text, out var range, out var error) ? range!.PartCount(1) <= 0 : string.IsNullOrWhiteSpace(error))
        {
            throw new InvalidOperationException("a range must have parts, or a reason why not");
        }
    },
    _ => throw new ArgumentException("usage: Shoal.Fuzz ini|agentconf|agentline|port|csv|stream|range"),
};

Fuzzer.OutOfProcess.Run(stream =>
{
    using var reader = new StreamReader(stream, Encoding.UTF8);
    run(reader.ReadToEnd());
});

static void Expect<T>(Action parse)
    where T : Exception
{
    try
    {
        parse();
    }
    catch (T ex) when (ex.Message.Length > 0)
    {
    }
}

static void AgentConf(string text)
{
    var file = Path.Combine(Path.GetTempPath(), $"shoal-fuzz-{Environment.ProcessId}.conf");
    File.WriteAllText(file, text);
    Expect<ConfigException>(() => AgentConfLoader.Load(file));
}
