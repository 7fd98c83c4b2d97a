using System.CommandLine;
using System.Net.Sockets;
using Shoal.Cli.Client;
using Shoal.Server.Hosting;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal cli</c>: FOSSology's <c>fo_cli</c> over the command port, with its flags; without a flag, an
/// interactive prompt. Queries print their lines up to <c>end</c>; exit 255 when the port cannot be reached.
/// </summary>
internal static class FoCliCommand
{
    public static Command Build()
    {
        var host = new Option<string>("--host", "-H") { Description = "Command port host", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int?>("--port", "-p") { Description = "Command port (default: <state-dir>/command.port, else 24693)" };
        var status = new Option<bool>("--status", "-S") { Description = "status" };
        var agents = new Option<bool>("--agents", "-a") { Description = "agents" };
        var load = new Option<bool>("--load", "-l") { Description = "load" };
        var stop = new Option<bool>("--stop", "-s") { Description = "stop" };
        var die = new Option<bool>("--die", "-D") { Description = "die" };
        var reload = new Option<bool>("--reload", "-r") { Description = "reload" };
        var database = new Option<bool>("--database", "-d") { Description = "database" };
        var pause = new Option<long?>("--pause", "-P") { Description = "pause JOB" };
        var restart = new Option<long?>("--restart", "-R") { Description = "restart JOB" };
        var verbose = new Option<int?>("--verbose", "-v") { Description = "verbose LEVEL" };
        var command = new Command("cli", "Talk to the command port like FOSSology's fo_cli (interactive without a flag)")
        {
            host, port, status, agents, load, stop, die, reload, database, pause, restart, verbose,
        };
        command.SetAction(async (r, ct) =>
        {
            var g = ShoalCommand.Globals(r);
            var state = g.StateDir ?? ".shoal";
            var portFile = Path.Combine(state, "command.port");
            var number = r.GetValue(port) ?? (File.Exists(portFile) ? int.Parse(File.ReadAllText(portFile).Trim(), System.Globalization.CultureInfo.InvariantCulture) : 24693);
            var line = r.GetValue(status) ? "status" : r.GetValue(agents) ? "agents" : r.GetValue(load) ? "load"
                : r.GetValue(stop) ? "stop" : r.GetValue(die) ? "die" : r.GetValue(reload) ? "reload" : r.GetValue(database) ? "database"
                : r.GetValue(pause) is { } p ? $"pause {p}" : r.GetValue(restart) is { } s ? $"restart {s}" : r.GetValue(verbose) is { } v ? $"verbose {v}" : null;
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(r.GetValue(host)!, number, ct).ConfigureAwait(false);
                var stream = client.GetStream();
                using var reader = new StreamReader(stream);
                await using var writer = new StreamWriter(stream) { AutoFlush = true, NewLine = "\n" };
                var token = File.ReadAllText(g.TokenFile ?? Path.Combine(state, StateFiles.AdminTokenFile)).Trim();
                await writer.WriteLineAsync(token).ConfigureAwait(false);
                if (line is not null)
                {
                    return await AskAsync(line, reader, writer, ct).ConfigureAwait(false);
                }

                while (await Console.In.ReadLineAsync(ct).ConfigureAwait(false) is { } typed)
                {
                    if (typed.Trim() == "help")
                    {
                        Console.WriteLine("commands: status [JOB], agents, load, pause JOB, restart JOB, kill JOB \"MSG\", priority JOB N, verbose [JOB] N, reload, database, stop, die, close");
                        continue;
                    }

                    if (await AskAsync(typed.Trim(), reader, writer, ct).ConfigureAwait(false) != 0 || typed.Trim() is "close" or "stop" or "die")
                    {
                        break;
                    }
                }

                return 0;
            }
            catch (Exception ex) when (ex is SocketException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"shoal cli: cannot talk to {r.GetValue(host)}:{number}: {ex.Message}").ConfigureAwait(false);
                return 255;
            }
        });
        return command;
    }

    private static async Task<int> AskAsync(string line, StreamReader reader, StreamWriter writer, CancellationToken ct)
    {
        await writer.WriteLineAsync(line).ConfigureAwait(false);
        // A status reply ends with "end\n" and a NUL byte, as FOSSology's: the NUL leads the next reply's first line.
        var first = (await reader.ReadLineAsync(ct).ConfigureAwait(false))?.TrimStart('\0');
        if (first is null || first == "error: not authenticated")
        {
            await Console.Error.WriteLineAsync("shoal cli: not authenticated (the token was refused), or the port closed").ConfigureAwait(false);
            return 255;
        }

        if (first != "received")
        {
            Console.WriteLine(first); // Invalid command: "..."
            return 0;
        }

        if (line.Split(' ')[0] is "status" or "agents" or "load")
        {
            while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } answer && answer != "end")
            {
                Console.WriteLine(answer);
            }

            return 0;
        }

        // Other commands may add one line (an error, "level: n", CLOSE) right after "received".
        Console.WriteLine("Command received");
        if (await PeekLineAsync(reader, ct).ConfigureAwait(false) is { } extra && extra != "CLOSE")
        {
            Console.WriteLine(extra);
        }

        return 0;
    }

    /// <summary>A line that follows <c>received</c> right away, if any (read within a short moment).</summary>
    private static async Task<string?> PeekLineAsync(StreamReader reader, CancellationToken ct)
    {
        using var brief = CancellationTokenSource.CreateLinkedTokenSource(ct);
        brief.CancelAfter(TimeSpan.FromMilliseconds(150));
        try
        {
            return await reader.ReadLineAsync(brief.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null;
        }
    }
}
