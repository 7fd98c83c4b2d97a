using Microsoft.Extensions.Time.Testing;
using Shoal.Core.Model;
using Shoal.Core.Streams;

namespace Shoal.Storage.Tests;

/// <summary>Helpers shared by the store contract tests: specs, rules, a fake clock.</summary>
internal static class StoreFixture
{
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static FakeTimeProvider Clock() => new(Start);

    public static JobRules Rules(string type) => type.StartsWith("pull", StringComparison.Ordinal)
        ? new JobRules(2, OnPartFailure.Continue)
        : new JobRules(2, OnPartFailure.FailJob);

    public static JobSpec Job(string name, string type = "scan", int parts = 1, params string[] deps) =>
        new(name, type, deps, Enumerable.Range(0, parts).Select(i => new PartSpec($"{name}-{i}", null)).ToList(), null);

    public static StreamSpec Stream(string name, int priority, params JobSpec[] jobs) => new(name, "ops@example.com", priority, jobs);

    public static LeaseRequest Lease(string owner, DateTimeOffset now, int max = 100, string type = "scan", int typeMax = -1, string host = "h1", int hostMax = -1, TimeSpan? aging = null) =>
        new(owner, host, hostMax, [new TypeLimit(type, typeMax, TimeSpan.FromSeconds(30))], max, now, aging);

    public static PartReport Ok(LeasedPart p, string owner) => new(p.PartId, p.LeaseId, owner, PartOutcome.Ok, "{}");

    public static PartReport Fail(LeasedPart p, string owner) => new(p.PartId, p.LeaseId, owner, PartOutcome.Failed);
}
