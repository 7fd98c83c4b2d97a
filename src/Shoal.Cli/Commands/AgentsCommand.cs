using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Contracts;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal agents</c>: agent types with their self-test verdicts, hosts, and running agents.</summary>
internal static class AgentsCommand
{
    public static Command Build()
    {
        var command = new Command("agents", "Show agent types (valid or not, and why), hosts and running agents");
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
    }
}
