using System.CommandLine;
using System.Diagnostics;
using System.Net.Sockets;
using Shoal.Core.Config;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal fo-scheduler -c DIR</c>: runs Shoal on a FOSSology installation's configuration folder, as
/// <c>fo_scheduler</c> is run, with its options (<c>FO_SYSCONFDIR</c> when <c>-c</c> is not given). Shoal's own store
/// goes to <c>--state-dir</c>, by default <c>DIR/shoal</c>. <c>-k</c> and <c>-s</c> reach the scheduler of that folder
/// through its command port (FOSSology signals every process named fo_scheduler instead).
/// </summary>
internal static class FoSchedulerCommand
{
    /// <summary>Set in the environment of the detached server <c>-d</c> starts: its <c>status</c> says <c>daemon:1</c>.</summary>
    private const string DaemonVariable = "SHOAL_FO_DAEMON";

    public static Command Build()
    {
        var config = new Option<string?>("--config", "-c") { Description = "FOSSology's configuration folder (fossology.conf, VERSION, mods-enabled/); default $FO_SYSCONFDIR" };
        var port = new Option<int?>("--port", "-p") { Description = "The command port (default: [FOSSOLOGY] port of fossology.conf)" };
        var log = new Option<string?>("--log", "-L") { Description = "The log: a file, a folder (its fossology.log), stdout or stderr (default: [DIRECTORIES] LOGDIR/fossology.log)" };
        var verbose = new Option<int?>("--verbose", "-v") { Description = "Verbosity at start (FOSSology's levels and bit masks; the command port's 'verbose' changes it)" };
        var reset = new Option<bool>("--reset", "-R") { Description = "Run again the job-queue rows another scheduler left 'Started' (Shoal's own rows need no reset: its store keeps every lease)" };
        var daemon = new Option<bool>("--daemon", "-d") { Description = "Run detached; return once the command port answers" };
        var kill = new Option<bool>("--kill", "-k") { Description = "Stop the scheduler of this folder now (its agents are killed); wait until it is gone" };
        var shutdown = new Option<bool>("--shutdown", "-s") { Description = "Stop the scheduler of this folder once its running agents finish" };
        var test = new Option<bool>("--test", "-t") { Description = "Run every agent type's self-test, then stop" };
        var database = new Option<bool>("--database", "-i") { Description = "Accepted (FOSSology declares it and does nothing with it)" };
        var command = new Command("fo-scheduler", "Run Shoal as FOSSology's scheduler on a FOSSology configuration folder")
        {
            config, port, log, verbose, reset, daemon, kill, shutdown, test, database,
        };
        command.SetAction(async (result, ct) =>
        {
            var dir = result.GetValue(config) ?? Environment.GetEnvironmentVariable("FO_SYSCONFDIR");
            if (string.IsNullOrEmpty(dir))
            {
                await Console.Error.WriteLineAsync("shoal fo-scheduler: give FOSSology's configuration folder with -c DIR or FO_SYSCONFDIR").ConfigureAwait(false);
                return 2;
            }

            ShoalConfig cfg;
            try
            {
                cfg = FossologyTree.Load(dir, result.GetValue(ShoalCommand.StateDir) is { } s ? Path.GetFullPath(s) : Path.Combine(Path.GetFullPath(dir), "shoal"));
            }
            catch (ConfigException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 2;
            }

            if (result.GetValue(port) is { } p)
            {
                if (p is < 1 or > 65535)
                {
                    await Console.Error.WriteLineAsync($"shoal fo-scheduler: -p/--port must be a port number 1-65535, got {p}").ConfigureAwait(false);
                    return 2;
                }

                cfg = cfg with { Scheduler = cfg.Scheduler with { CommandPort = p } };
            }

            if (result.GetValue(kill) || result.GetValue(shutdown))
            {
                // The scheduler of this folder, on the port it opened (it may have been started with another -p).
                var running = result.GetValue(port) ?? RunningPort(cfg) ?? cfg.Scheduler.CommandPort;
                return await SignalAsync(running, result.GetValue(kill), ct).ConfigureAwait(false);
            }

            if (result.GetValue(daemon))
            {
                return await DetachAsync(cfg, ct).ConfigureAwait(false);
            }

            // One scheduler per folder: its state folder is locked for as long as it runs (whatever its -p), before
            // anything of it is opened or written.
            using var held = Lock(cfg, out var holder);
            if (held is null)
            {
                await Console.Error.WriteLineAsync($"shoal fo-scheduler: a scheduler is already running on this configuration ({holder}): its state folder {cfg.StateDir} is locked").ConfigureAwait(false);
                return 1;
            }

            cfg = WithLog(cfg, result.GetValue(log)) with
            {
                Scheduler = cfg.Scheduler with
                {
                    Verbose = result.GetValue(verbose) ?? cfg.Scheduler.Verbose,
                    Daemon = Environment.GetEnvironmentVariable(DaemonVariable) == "1",
                    ExitAfterSelfTests = result.GetValue(test),
                    FossologyReset = result.GetValue(reset),
                },
            };
            // The port is bound first thing, as fo_scheduler binds it: its tools (and FOSSology's tests) connect at once.
            System.Net.Sockets.TcpListener listener;
            try
            {
                listener = Shoal.Server.CommandPort.PreboundCommandPort.Listen(cfg);
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                await Console.Error.WriteLineAsync($"shoal fo-scheduler: cannot start: command port {cfg.Scheduler.CommandPort}: {ex.Message} (is a scheduler already running on this configuration?)").ConfigureAwait(false);
                return 1;
            }

            return await ServerCommand.RunAsync(cfg, "shoal fo-scheduler", ct, listener).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>The port the folder's running scheduler wrote to its state folder, if any.</summary>
    private static int? RunningPort(ShoalConfig cfg) =>
        File.Exists(Path.Combine(cfg.StateDir, "command.port"))
        && int.TryParse(File.ReadAllText(Path.Combine(cfg.StateDir, "command.port")).Trim(), System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? p
            : null;

    /// <summary>The state folder's lock (an exclusive lock on <c>fo-scheduler.lock</c>), or null with who holds it.</summary>
    private static FileStream? Lock(ShoalConfig cfg, out string holder)
    {
        Directory.CreateDirectory(cfg.StateDir);
        var file = Path.Combine(cfg.StateDir, "fo-scheduler.lock");
        try
        {
            var stream = new FileStream(file, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            stream.SetLength(0);
            stream.Write(System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n"));
            stream.Flush();
            holder = "";
            return stream;
        }
        catch (IOException)
        {
            string pid;
            try
            {
                pid = File.ReadAllText(file).Trim();
            }
            catch (IOException)
            {
                pid = "?";
            }

            holder = $"pid {pid}, command port {RunningPort(cfg)?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"}";
            return null;
        }
    }

    /// <summary>FOSSology's <c>-L</c>: stdout, stderr, a folder (its <c>fossology.log</c>) or a file; job logs go beside it.</summary>
    private static ShoalConfig WithLog(ShoalConfig cfg, string? log) => log switch
    {
        null => cfg,
        "stdout" or "stderr" => cfg with { Log = log },
        _ when Directory.Exists(log) => cfg with { LogDir = Path.GetFullPath(log), Log = Path.Combine(Path.GetFullPath(log), FossologyTree.LogFile) },
        _ => cfg with { LogDir = Path.GetDirectoryName(Path.GetFullPath(log))!, Log = Path.GetFullPath(log) },
    };

    /// <summary>
    /// <c>-k</c> (die: agents killed, then the scheduler stops; waits until its port closes) or <c>-s</c> (stop once the
    /// running agents finish). 0 when a scheduler answered, 255 (FOSSology's -1) when none did.
    /// </summary>
    private static async Task<int> SignalAsync(int port, bool force, CancellationToken ct)
    {
        try
        {
            using (var client = new TcpClient())
            {
                await client.ConnectAsync("127.0.0.1", port, ct).ConfigureAwait(false);
                var stream = client.GetStream();
                await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(force ? "die\n" : "stop\n"), ct).ConfigureAwait(false);
                using var reader = new StreamReader(stream);
                var answer = await reader.ReadLineAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(10), ct).ConfigureAwait(false);
                if (answer != "received")
                {
                    await Console.Error.WriteLineAsync($"shoal fo-scheduler: the scheduler on port {port} refused: {answer}").ConfigureAwait(false);
                    return 255;
                }
            }

            if (force)
            {
                // The init script's stop is followed by a start: return when the port is free again.
                var until = Stopwatch.StartNew();
                while (until.Elapsed < TimeSpan.FromSeconds(60) && await AnswersAsync(port, ct).ConfigureAwait(false))
                {
                    await Task.Delay(100, ct).ConfigureAwait(false);
                }
            }

            return 0;
        }
        catch (Exception ex) when (ex is SocketException or IOException or TimeoutException)
        {
            await Console.Error.WriteLineAsync($"shoal fo-scheduler: no scheduler answers on port {port}: {ex.Message}").ConfigureAwait(false);
            return 255;
        }
    }

    private static async Task<bool> AnswersAsync(int port, CancellationToken ct)
    {
        try
        {
            using var probe = new TcpClient();
            await probe.ConnectAsync("127.0.0.1", port, ct).ConfigureAwait(false);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// <c>-d</c>: starts the same command line without <c>-d</c> in a new session (setsid), detached from the terminal,
    /// and returns 0 once its command port answers; 1 when it exits first (its reason is in its log).
    /// </summary>
    private static async Task<int> DetachAsync(ShoalConfig cfg, CancellationToken ct)
    {
        var port = cfg.Scheduler.CommandPort;
        var url = Path.Combine(cfg.StateDir, "server.url");
        var started = TimeProvider.System.GetUtcNow().UtcDateTime;
        if (await AnswersAsync(port, ct).ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync($"shoal fo-scheduler: a scheduler already answers on command port {port}").ConfigureAwait(false);
            return 1;
        }

        var args = Environment.GetCommandLineArgs().Skip(1).Where(a => a is not ("-d" or "--daemon")).ToList();
        var self = Environment.ProcessPath!;
        var psi = new ProcessStartInfo("setsid") { UseShellExecute = false };
        // Run through a shell only to point the daemon's standard streams at /dev/null.
        foreach (var a in (string[])["sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh", self])
        {
            psi.ArgumentList.Add(a);
        }

        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "shoal.dll"));
        }

        args.ForEach(psi.ArgumentList.Add);
        psi.Environment[DaemonVariable] = "1";
        using var child = Process.Start(psi)!;
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(60))
        {
            // Ready when its command port answers and its REST address is written (a script may submit right after).
            if (File.Exists(url) && File.GetLastWriteTimeUtc(url) >= started.AddSeconds(-1) && await AnswersAsync(port, ct).ConfigureAwait(false))
            {
                return 0;
            }

            if (child.HasExited)
            {
                await Console.Error.WriteLineAsync($"shoal fo-scheduler: the daemon exited with code {child.ExitCode} before its command port opened; see its log").ConfigureAwait(false);
                return 1;
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }

        await Console.Error.WriteLineAsync($"shoal fo-scheduler: the daemon did not open command port {port} within 60 s").ConfigureAwait(false);
        return 1;
    }
}
