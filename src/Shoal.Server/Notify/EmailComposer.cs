using System.Text;
using Shoal.Core.Config;
using Shoal.Core.Model;
using Shoal.Storage;

namespace Shoal.Server.Notify;

/// <summary>
/// The completion email: subject from <c>[EMAILNOTIFY] subject</c>; body = header file + a summary of the jobs
/// + footer file, with FOSSology's variables replaced. Links lead to the dashboard's pages (<c>#/streams/ID</c>,
/// <c>#/jobs/ID</c>) under <paramref name="baseUrl"/>: <c>[EMAILNOTIFY] url</c>, or the address the server listens on.
/// </summary>
internal static class EmailComposer
{
    public static (string Subject, string Body) Compose(StreamDetail detail, ShoalConfig config, string baseUrl)
    {
        var n = config.Notify;
        var vars = Variables(detail, config, baseUrl);
        var body = new StringBuilder();
        if (n.Header is { } header && File.Exists(header))
        {
            body.AppendLine(Replace(File.ReadAllText(header), vars));
        }

        body.AppendLine(Replace("Job stream $UPLOADNAME ($JOBQUEUELINK) ended: $JOBRESULT.", vars));
        body.AppendLine();
        // What the agents said with EMAIL (FOSSology's job message), a line per job that has one.
        foreach (var j in detail.Jobs.Where(j => !string.IsNullOrWhiteSpace(j.Message)))
        {
            body.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{j.Name} ({j.Type}): {j.Message}");
        }

        body.AppendLine(vars["$AGENTSTATUS"]);
        if (n.Footer is { } footer && File.Exists(footer))
        {
            body.AppendLine(Replace(File.ReadAllText(footer), vars));
        }

        return (Replace(n.Subject, vars), body.ToString());
    }

    /// <summary>The email that tells a stream's owner it is stuck: what holds it, and where to look.</summary>
    public static (string Subject, string Body) ComposeStuck(StreamDetail detail, ShoalConfig config, string baseUrl)
    {
        var s = detail.Stream;
        var body = new StringBuilder();
        body.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"Job stream {s.Name} ({baseUrl}/#/streams/{s.Id}) cannot finish: {s.Stuck}.");
        body.AppendLine();
        body.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"See `shoal why JOB` for each job, or its page {baseUrl}/#/jobs/JOB.");
        return ($"Shoal: stream {s.Id} {s.Name} is stuck", body.ToString());
    }

    public static Dictionary<string, string> Variables(StreamDetail detail, ShoalConfig config, string baseUrl)
    {
        var s = detail.Stream;
        var url = baseUrl;
        var table = new StringBuilder();
        foreach (var j in detail.Jobs)
        {
            var result = j.State == JobState.Completed ? "COMPLETED" : "FAILED";
            table.Append(System.Globalization.CultureInfo.InvariantCulture, $"{j.Id}\t{j.Type}\t{result}\t{url}/#/jobs/{j.Id}\n");
        }

        return new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["$UPLOADNAME"] = s.Name,
            ["$BROWSELINK"] = $"{url}/#/streams/{s.Id}",
            ["$SCHEDULERLOG"] = config.MainLog,
            ["$JOBQUEUELINK"] = $"{url}/#/streams/{s.Id}",
            ["$UPLOADFOLDERNAME"] = s.Owner,
            ["$JOBRESULT"] = s.State.Name().ToUpperInvariant(),
            ["$AGENTSTATUS"] = table.ToString().TrimEnd('\n'),
        };
    }

    // Longest names first, so that $UPLOADFOLDERNAME is not taken for $UPLOADNAME + "FOLDERNAME".
    private static string Replace(string text, Dictionary<string, string> vars) =>
        vars.OrderByDescending(kv => kv.Key.Length).Aggregate(text, (t, kv) => t.Replace(kv.Key, kv.Value, StringComparison.Ordinal));
}
