// shoal-example-submit URL TOKEN_FILE TYPE: submits a two-job stream of agent type TYPE through Shoal.Client,
// prints its progress until it ends, and exits 0 when it completed.
using Microsoft.Extensions.DependencyInjection;
using Shoal.Client;

if (args.Length != 3)
{
    Console.Error.WriteLine("usage: shoal-example-submit URL TOKEN_FILE TYPE");
    return 2;
}

var services = new ServiceCollection();
services.AddShoalClient(o =>
{
    o.BaseAddress = new Uri(args[0].TrimEnd('/') + "/");
    o.Token = File.ReadAllText(args[1]).Trim();
});
using var provider = services.BuildServiceProvider();
var shoal = provider.GetRequiredService<ShoalClient>();

var stream = new StreamBuilder("from-dotnet")
    .Job("first", args[2], j => j.Parts("a", "b", "c"))
    .Job("second", args[2], j => j.DependsOn("first").Parts("d"))
    .Build();
try
{
    var submitted = await shoal.SubmitAsync(stream);
    Console.WriteLine($"submitted stream {submitted.Id}");
    var state = "";
    await foreach (var s in shoal.WatchAsync(submitted.Id, TimeSpan.FromMilliseconds(200)))
    {
        state = s.State;
        Console.WriteLine($"{s.State}: {s.Jobs.Sum(j => j.Parts.Done)}/{s.Jobs.Sum(j => j.Parts.Ready + j.Parts.Leased + j.Parts.Done + j.Parts.Failed)} parts done");
    }

    return state == "completed" ? 0 : 1;
}
catch (Exception ex) when (ex is ShoalApiException or ShoalConnectionException)
{
    Console.Error.WriteLine($"shoal-example-submit: {ex.Message}");
    return 2;
}
