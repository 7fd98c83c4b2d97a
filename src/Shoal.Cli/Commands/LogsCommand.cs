using System.CommandLine;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal logs JOB [--follow]</c>: a job's agent output (stderr and log lines).</summary>
internal static class LogsCommand
{
    public static Command Build()
    {
        var job = new Argument<long>("job") { Description = "Job id" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C" };
        var command = new Command("logs", "Show a job's agent output (its log file)") { job, follow };
        command.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, _) =>
        {
            var offset = 0L;
            do
            {
                var (text, next) = await client.JobLogAsync(r.GetValue(job), offset, ct).ConfigureAwait(false);
                Console.Write(text);
                offset = next;
                if (r.GetValue(follow))
                {
                    await Task.Delay(500, ct).ConfigureAwait(false);
                }
            }
            while (r.GetValue(follow) && !ct.IsCancellationRequested);

            return 0;
        }));
        return command;
    }
}
