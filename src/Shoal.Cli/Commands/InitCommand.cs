using System.CommandLine;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal init [DIR]</c>: a commented <c>shoal.conf</c>, an example agent type (a bash agent speaking the line
/// protocol) and an example stream, all of which parse and run as written; it never overwrites a file.
/// </summary>
internal static class InitCommand
{
    private const string Conf = """
        ; Shoal's configuration (fossology.conf's dialect: [SECTION], key = value, ; or # comments).
        ; Every key is described in docs/configuration.md. Relative paths are relative to this file.

        [SCHEDULER]
        address = 127.0.0.1        ; the REST API and dashboard (0.0.0.0 for every address: then set tls_cert)
        port = 24690               ; 0 = any free port (written to .shoal/server.url, where the CLI finds it)
        command_port = 24693       ; FOSSology's command port (shoal cli, fo_cli); 0 = any free port

        [HOSTS]
        ; name = address agents-folder max   (AGENT_DIR = the agents folder below)
        localhost = localhost AGENT_DIR 4

        [DIRECTORIES]
        state = .shoal             ; the SQLite database, admin.token, server.url
        agents = agents            ; one NAME.conf per agent type
        logdir = .shoal/logs

        ; [STORE]
        ; postgres = Host=db;Username=shoal;Password=secret;Database=shoal   ; several servers, one queue

        """;

    private const string AgentConf = """
        ; The agent type 'hello': Shoal starts agents/hello-agent.sh on the hosts above (at most 2 at once) and
        ; feeds it parts over FOSSology's line protocol (docs/agent-protocol.md).
        [default]
        command = ./hello-agent.sh   ; run from this folder
        max = 2
        retries = 2                ; a part is tried up to 3 times

        """;

    private const string Agent = """
        #!/usr/bin/env bash
        # An agent in bash: says its version, then takes one part a line; END asks for OK, CLOSE for BYE.
        set -u
        echo "VERSION: hello-agent 1.0"
        echo "OK"
        done_parts=0
        while IFS= read -r line; do
          case "$line" in
            END) echo "OK" ;;
            CLOSE) echo "HEART: $done_parts 0"; echo "BYE 0"; exit 0 ;;
            VERBOSE*|VALUE:*) ;;
            *)
              echo "hello, $line" >&2          # the agent's stderr goes to the job's log (shoal logs JOB)
              done_parts=$((done_parts + 1))
              echo "HEART: $done_parts 0"
              ;;
          esac
        done
        exit 1

        """;

    private const string Stream = """
        {
          "name": "hello",
          "jobs": [
            { "name": "greet", "type": "hello", "parts": ["world", "operators", "agents"] },
            { "name": "again", "type": "hello", "parts": ["done"], "depends_on": ["greet"] }
          ]
        }

        """;

    public static Command Build()
    {
        var dir = new Argument<string>("dir") { Description = "The folder to set up (created if missing)", DefaultValueFactory = _ => "." };
        var command = new Command("init", "Write a commented shoal.conf, an example agent type and an example stream into DIR (never overwriting a file)") { dir };
        command.SetAction(result => Run(result.GetValue(dir)!));
        return command;
    }

    /// <summary>A folder name as a POSIX shell reads it back: single-quoted, a quote inside as <c>'\''</c>.</summary>
    internal static string Quoted(string text) =>
        text.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-') && !text.StartsWith('-') ? text : "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static int Run(string dir)
    {
        if (string.IsNullOrWhiteSpace(dir))
        {
            Console.Error.WriteLine("shoal init: DIR must name a folder ('.' for this one)");
            return 2;
        }

        (string Path, string Text)[] files =
        [
            ("shoal.conf", Conf),
            (System.IO.Path.Combine("agents", "hello.conf"), AgentConf),
            (System.IO.Path.Combine("agents", "hello-agent.sh"), Agent),
            ("stream.json", Stream),
        ];
        var existing = files.Select(f => System.IO.Path.Combine(dir, f.Path)).Where(File.Exists).ToList();
        if (existing.Count > 0)
        {
            Console.Error.WriteLine($"shoal init: {string.Join(", ", existing)} already exist{(existing.Count == 1 ? "s" : "")}; nothing was written");
            return 1;
        }

        try
        {
            Directory.CreateDirectory(System.IO.Path.Combine(dir, "agents"));
            foreach (var (path, text) in files)
            {
                File.WriteAllText(System.IO.Path.Combine(dir, path), text);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(System.IO.Path.Combine(dir, "agents", "hello-agent.sh"),
                    UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"shoal init: cannot write into {dir}: {ex.Message}");
            return 1;
        }

        var cd = dir == "." ? "" : $"  cd {Quoted(dir)}\n";
        Console.WriteLine($"""
            wrote {string.Join(", ", files.Select(f => System.IO.Path.Combine(dir, f.Path)))}
            next:
            {cd}  shoal server --config shoal.conf &          # the server; its state goes to ./.shoal
              shoal submit stream.json --wait             # run the example stream and follow it
              shoal status                                # every stream; the dashboard is at http://127.0.0.1:24690
            """);
        return 0;
    }
}
