using Shoal.Core.Streams;
using Shouldly;
using static Shoal.Storage.Tests.StoreFixture;

namespace Shoal.Storage.Tests;

/// <summary>Host zones: each sweep records the zone its inventory gives each host; the newest sweep wins.</summary>
public abstract partial class StoreContract
{
    [Fact]
    public async Task HostZones_AreWhatTheNewestSweepSaid_WithoutCase()
    {
        static PartSpec Host(string host, string? zone) =>
            new(zone is null ? $$"""{"host":"{{host}}","prod":false}""" : $$"""{"host":"{{host}}","prod":false,"zone":"{{zone}}"}""", null, IsJson: true);
        async Task Sweep(params (string Job, PartSpec[] Parts)[] jobs)
        {
            var spec = new StreamSpec("sweep", "", 0, jobs.Select(j => new JobSpec(j.Job, "sweep", [], j.Parts, null)).ToList());
            await Store.SubmitSweepAsync(spec, c => new SweepRecord(c.Id, c.Jobs.Values.First(), "sweep", 1, Start, TimeSpan.FromHours(1), [], false), Start, Ct);
        }

        await Sweep(("visit", [Host("web1", null), Host("web1", null)]), ("visit-dmz", [Host("Gate1", "dmz"), Host("gate2", "dmz")]));
        (await Store.GetHostZoneAsync("web1", Ct)).ShouldBe("");
        (await Store.GetHostZoneAsync("GATE1", Ct)).ShouldBe("dmz");
        (await Store.GetHostZoneAsync("nowhere", Ct)).ShouldBeNull();

        await Sweep(("visit-lab", [Host("gate1", "lab")]));
        (await Store.GetHostZoneAsync("gate1", Ct)).ShouldBe("lab", "the newest inventory moved it");
        (await Store.GetHostZoneAsync("gate2", Ct)).ShouldBe("dmz");
    }
}
