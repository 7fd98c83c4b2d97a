using Shoal.Core.Config;
using Shoal.Server.Hosting;
using Shoal.Server.Spawned;

namespace Shoal.Server.Operations;

/// <summary>
/// Re-reads <c>shoal.conf</c> and the agent confs. A file with an error keeps the old configuration and
/// says <c>file:line: reason</c>. What cannot change while running (state folder, store, ports) is kept.
/// </summary>
internal sealed class ConfigReloader(ConfigHolder holder, Dispatcher dispatcher)
{
    /// <summary>Null when the new configuration is in force, else why not.</summary>
    public string? Reload()
    {
        var current = holder.Current;
        if (!File.Exists(current.File))
        {
            return $"{current.File}: no configuration file to reload";
        }

        try
        {
            // A FOSSology installation's folder is read again as one (fossology.conf and mods-enabled).
            var next = Path.GetFileName(current.File) == FossologyTree.ConfFile
                ? FossologyTree.Load(Path.GetDirectoryName(current.File)!, current.StateDir)
                : ConfigLoader.Load(current.File);
            holder.Replace(next with
            {
                StateDir = current.StateDir,
                Store = current.Store,
                // The log is open where it was started (fo-scheduler -L); so it stays, as does what the command line said.
                Log = current.Log,
                LogDir = current.LogDir,
                Scheduler = next.Scheduler with
                {
                    Address = current.Scheduler.Address,
                    Port = current.Scheduler.Port,
                    CommandPort = current.Scheduler.CommandPort,
                    NodeName = current.Scheduler.NodeName,
                    TlsCert = current.Scheduler.TlsCert,
                    TlsKey = current.Scheduler.TlsKey,
                    Daemon = current.Scheduler.Daemon,
                    ExitAfterSelfTests = current.Scheduler.ExitAfterSelfTests,
                    FossologyReset = current.Scheduler.FossologyReset,
                    FossologyDatabase = current.Scheduler.FossologyDatabase,
                },
            });
            dispatcher.Reloaded();
            return null;
        }
        catch (ConfigException ex)
        {
            return ex.Message;
        }
    }
}
