using System.CommandLine;
using Shoal.Core.Config;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal fo-scheduler -c DIR</c>: runs Shoal on a FOSSology installation's configuration folder, as
/// <c>fo_scheduler</c> is run (its options; <c>FO_SYSCONFDIR</c> when <c>-c</c> is not given). Shoal's own store goes to
/// <c>--state-dir</c>, by default <c>DIR/shoal</c>.
/// </summary>
internal static class FoSchedulerCommand
{
    public static Command Build()
    {
        var config = new Option<string?>("--config", "-c") { Description = "FOSSology's configuration folder (fossology.conf, mods-enabled/); default $FO_SYSCONFDIR" };
        var port = new Option<int?>("--port", "-p") { Description = "The command port (default: [FOSSOLOGY] port of fossology.conf)" };
        var log = new Option<string?>("--log", "-L") { Description = "The log folder (default: [DIRECTORIES] LOGDIR, else <state>/logs)" };
        var verbose = new Option<int?>("--verbose", "-v") { Description = "Accepted for fo_scheduler's command lines; set verbosity with the command port's 'verbose'" };
        var reset = new Option<bool>("--reset", "-R") { Description = "Accepted: Shoal's store keeps every lease, so unfinished work is re-run without it" };
        var command = new Command("fo-scheduler", "Run Shoal as FOSSology's scheduler on a FOSSology configuration folder") { config, port, log, verbose, reset };
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

            cfg = cfg with
            {
                Scheduler = result.GetValue(port) is { } p ? cfg.Scheduler with { CommandPort = p } : cfg.Scheduler,
                LogDir = result.GetValue(log) is { } l ? Path.GetFullPath(l) : cfg.LogDir,
            };
            return await ServerCommand.RunAsync(cfg, "shoal fo-scheduler", ct).ConfigureAwait(false);
        });
        return command;
    }
}
