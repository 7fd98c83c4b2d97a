// End-to-end no-op throughput of Shoal. See bench/README.md.
//   dotnet run -c Release --project bench/Shoal.Bench -- cluster --postgres "CONN" [--servers 1,2,3] [--parts 20000] [--agents 8] [--batch 32] [--streams 1] [--peers hangfire,quartz] [--peer-jobs 2000]
//   dotnet run -c Release --project bench/Shoal.Bench -- compare [--postgres CONN] [--jobs 20000] [--pg-jobs 5000] [--workers 20] [--runs 3] [--rate 200] [--seconds 10] [--only shoal-sqlite,shoal-sqlite-rest,hangfire-memory,quartz-ram,shoal-pg,shoal-pg-rest,hangfire-pg,quartz-pg]
//   dotnet run -c Release --project bench/Shoal.Bench -- targets [--postgres CONN] [--runs 3] (compare's rows that issue 22's targets need, and each target against its bar)
//   dotnet run -c Release --project bench/Shoal.Bench -- scale [--sizes 1000,100000,1000000,10000000] [--jobs 20000] [--workers 20] [--runs 3] [--rate 200] [--seconds 5] [--big 1000000]
//   dotnet run -c Release --project bench/Shoal.Bench -- simulate [--agents 100000] [--parts 5000000] [--median-seconds 30] [--lease 600] [--seed 1]
//   dotnet run -c Release --project bench/Shoal.Bench -- load [--agents 2000] [--seconds 30] [--rate 50] [--backlog 1000000] [--shoal src/Shoal.Cli/bin/Release/net10.0/shoal.dll]
//   dotnet run -c Release --project bench/Shoal.Bench -- submit [--count 2000] [--postgres CONN] [--shoal src/Shoal.Cli/bin/Release/net10.0/shoal.dll] (server CPU per REST submit of a one-job stream)
//   dotnet run -c Release --project bench/Shoal.Bench -- pull [--parts 50000] [--agents 8] [--batch 32] [--rate 200] [--seconds 10]
//   dotnet run -c Release --project bench/Shoal.Bench -- inproc [--parts 100000] [--workers 1] [--batch 1000] [--sync full|normal] [--postgres CONN]
//   dotnet run -c Release --project bench/Shoal.Bench -- spawned [--parts 20000] [--agents 8] [--chunk 1] [--agent bash|csharp] [--ssh "OPTIONS"]
using Shoal.Bench;

var mode = args.FirstOrDefault() ?? "inproc";
int Int(string name, int fallback) => Args.Int(args, name, fallback);
string Str(string name, string fallback) => Args.Str(args, name, fallback);
return mode switch
{
    "inproc" => await InProcessBench.RunAsync(Int("--parts", 100_000), Int("--workers", 1), Int("--batch", 1000), Str("--sync", "full"), Str("--postgres", "")),
    "spawned" => await SpawnedBench.RunAsync(Int("--parts", 20_000), Int("--agents", 8), Int("--chunk", 1), Str("--agent", "bash"), Str("--ssh", "")),
    "compare" => await CompareBench.CompareAsync(Str("--postgres", Environment.GetEnvironmentVariable("SHOAL_POSTGRES") ?? ""), Int("--jobs", 20_000), Int("--pg-jobs", 5_000), Int("--workers", 20), Int("--runs", 3), Int("--rate", 200), Int("--seconds", 10), Str("--only", "")),
    // The peers issue 22's targets compare: compare --only shoal-sqlite,shoal-sqlite-rest,quartz-ram (and the PostgreSQL rows with --postgres).
    "targets" => await CompareBench.CompareAsync(Str("--postgres", Environment.GetEnvironmentVariable("SHOAL_POSTGRES") ?? ""), Int("--jobs", 20_000), Int("--pg-jobs", 5_000), Int("--workers", 20), Int("--runs", 3), Int("--rate", 200), Int("--seconds", 10), "shoal-sqlite,shoal-sqlite-rest,quartz-ram,shoal-pg,shoal-pg-rest"),
    "cluster" => await CompareBench.ClusterAsync(Str("--postgres", Environment.GetEnvironmentVariable("SHOAL_POSTGRES") ?? ""), Str("--servers", "1,2,3"), Int("--parts", 20_000), Int("--agents", 8), Int("--batch", 32), Int("--streams", 1), Str("--peers", "hangfire,quartz"), Int("--peer-jobs", 2_000), Int("--workers", 20)),
    "simulate" => await Simulation.RunAsync(Int("--agents", 100_000), Int("--parts", 5_000_000), double.Parse(Str("--median-seconds", "30"), System.Globalization.CultureInfo.InvariantCulture), Int("--lease", 600), Int("--seed", 1)),
    "hostile" => await HostileBench.RunAsync(Str("--shoal", "src/Shoal.Cli/bin/Release/net10.0/shoal.dll"), Int("--connections", 5000), Int("--slowloris", 200), Int("--seconds", 30)),
    "load" => await LoadBench.RunAsync(Str("--shoal", "src/Shoal.Cli/bin/Release/net10.0/shoal.dll"), Int("--agents", 2000), Int("--seconds", 30), Int("--rate", 50), Int("--backlog", 0)),
    "scale" => await ScaleBench.RunAsync(Str("--sizes", "1000,100000,1000000,10000000"), Int("--jobs", 20_000), Int("--workers", 20), Int("--runs", 3), Int("--rate", 200), Int("--seconds", 5), Int("--big", 1_000_000)),
    "submit" => await SubmitBench.RunAsync(Str("--shoal", "src/Shoal.Cli/bin/Release/net10.0/shoal.dll"), Int("--count", 2000), Str("--postgres", Environment.GetEnvironmentVariable("SHOAL_POSTGRES") ?? "")),
    "pull" => await PullBench.RunAsync(Int("--parts", 50_000), Int("--agents", 8), Int("--batch", 32), Int("--rate", 200), Int("--seconds", 10)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Shoal.Bench inproc|spawned|pull|cluster|compare|targets|scale|load|simulate|hostile [options] (see bench/README.md)");
    return 2;
}
