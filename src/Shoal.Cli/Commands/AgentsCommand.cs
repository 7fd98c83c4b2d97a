using System.CommandLine;
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

    private static void Print(AgentsResponse a)
    {
        Console.WriteLine("types:");
        foreach (var t in a.Types)
        {
            Console.WriteLine($"  {t.Name}\t{t.Kind}\tmax {t.Max}\t{(t.Valid ? "valid" : "INVALID: " + t.Reason)}");
            foreach (var h in t.Hosts.Where(h => h.State != "valid"))
            {
                Console.WriteLine($"    on {h.Host}: {h.State}{(h.Reason is null ? "" : " (" + h.Reason + ")")}");
            }
        }

        Console.WriteLine("hosts:");
        foreach (var h in a.Hosts)
        {
            Console.WriteLine($"  {h.Name}\t{h.Address}\trunning {h.Running}/{h.Max}{(h.Down ? "\tDOWN" : "")}");
        }

        Console.WriteLine("agents:");
        foreach (var x in a.Agents)
        {
            Console.WriteLine($"  pid {x.Pid}\t{x.Type}\ton {x.Host}\tjob {x.Job}\t{x.Phase}{(x.Suspended ? " (suspended)" : "")}\titems {x.Items}\tlast heard {x.LastHeard:u}");
        }

        Console.WriteLine("pull agents:");
        foreach (var p in a.Pull ?? [])
        {
            var tags = p.Tags.Count == 0 ? "" : $"\ttags {string.Join(',', p.Tags)}";
            Console.WriteLine(
                $"  {p.Name}\t{p.State}\t{string.Join(',', p.Types)}\tleases {p.Leases}\tdone {p.Done}\tfailed {p.Failed}\t{p.Rate:0}/min{tags}\tlast seen {p.LastSeen:u}");
        }
    }
}
