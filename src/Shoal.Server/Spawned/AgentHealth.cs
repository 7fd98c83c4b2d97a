using Shoal.Core.Config;

namespace Shoal.Server.Spawned;

/// <summary>
/// Self-test verdicts per agent type and host, the version each type reported first, and host health
/// (a host whose agents keep failing to start is down for a while). Owned by the dispatcher loop.
/// </summary>
internal sealed class AgentHealth
{
    private readonly Dictionary<(string Type, string Host), Verdict> _verdicts = [];
    private readonly Dictionary<string, (int Failures, DateTimeOffset DownUntil)> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _versions = new(StringComparer.Ordinal);

    public enum State
    {
        Testing,
        Valid,
        Invalid,
    }

    public bool IsUsable(string type, string host) => _verdicts.TryGetValue((type, host), out var v) && v.State == State.Valid;

    /// <summary>True when a self-test of the type should be started on the host now.</summary>
    public bool NeedsTest(string type, string host, DateTimeOffset now) =>
        !_verdicts.TryGetValue((type, host), out var v) || (v.State == State.Invalid && v.RetryAt <= now);

    public void Testing(string type, string host) => _verdicts[(type, host)] = new Verdict(State.Testing, null, DateTimeOffset.MaxValue);

    public void Pass(string type, string host) => _verdicts[(type, host)] = new Verdict(State.Valid, null, DateTimeOffset.MaxValue);

    public void Fail(string type, string host, string reason, DateTimeOffset retryAt) =>
        _verdicts[(type, host)] = new Verdict(State.Invalid, reason, retryAt);

    /// <summary>Fails a self-test still under way (a failure recorded earlier in the test keeps its reason).</summary>
    public void FailIfTesting(string type, string host, string reason, DateTimeOffset retryAt)
    {
        if (_verdicts.TryGetValue((type, host), out var v) && v.State == State.Testing)
        {
            Fail(type, host, reason, retryAt);
        }
    }

    /// <summary>Forgets every verdict (after a reload the self-tests run again).</summary>
    public void Reset()
    {
        _verdicts.Clear();
        _versions.Clear();
    }

    /// <summary>Records the version an agent reported; false when the type's first agent reported another.</summary>
    public bool CheckVersion(string type, string version, out string? first)
    {
        if (_versions.TryAdd(type, version))
        {
            first = null;
            return true;
        }

        first = _versions[type];
        return first == version;
    }

    public void AdoptVersion(string type, string version) => _versions[type] = version;

    public void StartFailed(string host, int downAfter, TimeSpan downFor, DateTimeOffset now)
    {
        var (failures, _) = _hosts.GetValueOrDefault(host);
        failures++;
        _hosts[host] = (failures, failures >= downAfter ? now + downFor : DateTimeOffset.MinValue);
    }

    public void StartSucceeded(string host) => _hosts.Remove(host);

    public bool IsDown(string host, DateTimeOffset now) => _hosts.TryGetValue(host, out var h) && h.DownUntil > now;

    /// <summary>Types that no usable host can run, with the reason from their failed self-test.</summary>
    public Dictionary<string, string> InvalidTypes(ShoalConfig config, DateTimeOffset now)
    {
        var invalid = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in _verdicts.GroupBy(kv => kv.Key.Type))
        {
            if (group.All(kv => kv.Value.State == State.Invalid) || group.All(kv => kv.Value.State == State.Invalid || IsDown(kv.Key.Host, now)))
            {
                var failed = group.FirstOrDefault(kv => kv.Value.State == State.Invalid);
                if (failed.Value is not null)
                {
                    invalid[group.Key] = failed.Value.Reason!;
                }
            }
        }

        _ = config;
        return invalid;
    }

    public IReadOnlyList<(string Type, string Host, State State, string? Reason)> Verdicts() =>
        _verdicts.Select(kv => (kv.Key.Type, kv.Key.Host, kv.Value.State, kv.Value.Reason)).OrderBy(v => v.Type, StringComparer.Ordinal).ThenBy(v => v.Host, StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> DownHosts(DateTimeOffset now) => _hosts.Where(h => h.Value.DownUntil > now).Select(h => h.Key).ToList();

    public string? Version(string type) => _versions.GetValueOrDefault(type);

    private sealed record Verdict(State State, string? Reason, DateTimeOffset RetryAt);
}
