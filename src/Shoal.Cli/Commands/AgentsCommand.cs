using System.CommandLine;
using System.Globalization;
using Shoal.Cli.Output;
using Shoal.Contracts;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal agents</c>: agent types with their self-test verdicts, hosts, running agents and the pull agents heard from.</summary>
internal static class AgentsCommand
{
    public static Command Build()
    {
        var command = new Command("agents", "Show agent types (valid or not, and why), hosts, running agents, and pull agents (busy, idle or lost)");
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            Render.Out(g.Json, await client.AgentsAsync(ct).ConfigureAwait(false), Print);
            return 0;
        }));
        return command;
    }

    /// <summary>Four sections: a table each on a terminal, tab-separated lines under a header line when piped.</summary>
    private static void Print(AgentsResponse a)
    {
        Console.WriteLine("types:");
        Render.Rows(
            a.Types,
            ["type", "kind", "max", "state", "hosts not valid"],
            t => [t.Name, t.Kind, t.Max < 0 ? "unlimited" : t.Max.ToString(CultureInfo.InvariantCulture), t.Valid ? "valid" : "INVALID: " + t.Reason, string.Join("; ", NotValid(t))],
            "state", "hosts not valid");

        Console.WriteLine("hosts:");
        Render.Rows(
            a.Hosts,
            ["host", "address", "running", "state"],
            h => [h.Name, h.Address, $"{h.Running}/{h.Max}", h.Down ? "DOWN" : "up"],
            "address");

        Console.WriteLine("agents:");
        Render.Rows(
            a.Agents,
            ["pid", "type", "host", "job", "phase", "items", "last heard"],
            x => [x.Pid.ToString(CultureInfo.InvariantCulture), x.Type, x.Host, x.Job?.ToString(CultureInfo.InvariantCulture) ?? "", x.Phase + (x.Suspended ? " (suspended)" : ""), x.Items.ToString(CultureInfo.InvariantCulture), x.LastHeard.ToString("u", CultureInfo.InvariantCulture)],
            "type");

        Console.WriteLine("pull agents:");
        Render.Rows(
            a.Pull ?? [],
            ["name", "state", "types", "leases", "done", "failed", "rate", "tags", "last seen"],
            p => [p.Name, p.State, string.Join(',', p.Types), p.Leases.ToString(CultureInfo.InvariantCulture), p.Done.ToString(CultureInfo.InvariantCulture), p.Failed.ToString(CultureInfo.InvariantCulture), p.Rate.ToString("0", CultureInfo.InvariantCulture) + "/min", string.Join(',', p.Tags), p.LastSeen.ToString("u", CultureInfo.InvariantCulture)],
            "name", "types", "tags");
    }

    private static IEnumerable<string> NotValid(AgentTypeDto t) =>
        t.Hosts.Where(h => h.State != "valid").Select(h => $"{h.Host}: {h.State}{(h.Reason is null ? "" : " (" + h.Reason + ")")}");
}
