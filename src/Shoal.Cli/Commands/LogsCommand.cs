using System.CommandLine;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal logs JOB [--follow]</c>: a job's agent output (stderr and log lines).</summary>
internal static class LogsCommand
{
    public static Command Build()
    {
        var job = Ids.JobArgument();
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines until Ctrl-C" };
        var command = new Command("logs", "Show a job's agent output (its log file)") { job, follow };
        command.SetAction((r, ct) => ShoalCommand.RunAsync(r, async (client, _) =>
        {
            var offset = 0L;
            var utf8 = System.Text.Encoding.UTF8.GetDecoder(); // one decoder for every page: a character split by a page is whole
            do
            {
                var (bytes, next) = await client.JobLogAsync(r.GetValue(job).Id, offset, ct).ConfigureAwait(false);
                var chars = new char[utf8.GetCharCount(bytes, flush: false)];
                utf8.GetChars(bytes, chars, flush: false);
                Console.Write(Output.Render.SafeLines(new string(chars))); // an agent's text: no terminal escapes pass
                offset = next;
                if (r.GetValue(follow))
                {
                    await Task.Delay(500, ct).ConfigureAwait(false);
                }
            }
            while (r.GetValue(follow) && !ct.IsCancellationRequested);

            if (offset == 0)
            {
                // Said, not left blank: spawned agents' stderr lands here, a pull agent's output comes with its report.
                var id = r.GetValue(job).Id;
                await Console.Error.WriteLineAsync($"shoal: job {id} has no agent output in its log (a pull agent's output comes with its report: shoal failed {id} --job shows its failed parts)").ConfigureAwait(false);
            }

            return 0;
        }));
        return command;
    }
}
