using System.Diagnostics;
using System.Xml.Linq;
using Npgsql;
using Shoal.Storage.Tests.Postgres;
using Shouldly;

namespace Shoal.Cli.Tests.Fossology;

/// <summary>
/// FOSSology's own functional suites (<c>Functional.py</c> and <c>Functional.xml</c> from the kit, unchanged), with
/// <c>fo_scheduler</c> = Shoal (<c>scripts/fo_scheduler</c>, as docs/fossology.md installs it). The three suites that
/// need only the kit run at once, each on a tree of its own.
/// </summary>
public sealed class FossologyFunctionalTests
{
    /// <summary>
    /// Functional.py was written for Python 2: it compares what a pipe gives (bytes under Python 3) with the expected
    /// text, so every <c>result=</c> check fails whatever the scheduler prints. This sitecustomize makes subprocess pipes
    /// text, as they were under Python 2; the harness and its suites stay as FOSSology ships them.
    /// </summary>
    private const string TextPipes = """
        import subprocess
        _Popen = subprocess.Popen
        class _TextPopen(_Popen):
            def __init__(self, *args, **kwargs):
                if kwargs.get("stdout") == subprocess.PIPE and not any(k in kwargs for k in ("text", "universal_newlines", "encoding")):
                    kwargs["universal_newlines"] = True
                super().__init__(*args, **kwargs)
        subprocess.Popen = _TextPopen
        """;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task FossologysFunctionalSuites_JustStop_TestAgents_StopDie_AllPass_WithShoalAsFoScheduler()
    {
        string[] suites = ["JustStop", "TestAgents", "Stop/Die"];
        var database = await FossologyDatabase.CreateAsync(Ct);
        var kits = await Task.WhenAll(suites.Select(_ => FossologyKit.BuildAsync(Ct)));
        try
        {
            var results = await Task.WhenAll(suites.Zip(kits).Select(s => RunSuiteAsync(s.First, s.Second, database)));
            foreach (var (suite, report, output) in results)
            {
                var node = report.Descendants("testsuite").SingleOrDefault().ShouldNotBeNull($"{suite}: no result (timed out?): {output}");
                ((int)node.Attribute("tests")!).ShouldBeGreaterThan(0, suite);
                ((int)node.Attribute("failures")!).ShouldBe(0, $"{suite}: {report}\n{output}");
                ((int)node.Attribute("errors")!).ShouldBe(0, $"{suite}: {report}\n{output}");
            }
        }
        finally
        {
            foreach (var kit in kits)
            {
                kit.Dispose();
            }

            await database.DisposeAsync();
        }
    }

    private static async Task<(string Suite, XDocument Report, string Output)> RunSuiteAsync(string suite, FossologyKit kit, FossologyDatabase database)
    {
        // FOSSology's functional tree holds the scheduler's test agents only, a Db.conf (db_connect opens it), and a
        // VERSION with BUILD_DATE (FOSSology's build writes it; Functional.py reads it).
        Directory.Delete(Path.Combine(kit.Agents, "mods-enabled", "minimal_agent"), recursive: true);
        await File.WriteAllTextAsync(Path.Combine(kit.Agents, "Db.conf"), database.DbConf, Ct);
        await File.AppendAllTextAsync(Path.Combine(kit.Agents, "VERSION"), "BUILD_DATE=2026/11/28 00:00 UTC\n", Ct);
        var scheduler = Path.Combine(kit.Root, "src", "scheduler", "agent", "fo_scheduler");
        File.Copy(Path.Combine(ShoalProcess.RepoRoot, "scripts", "fo_scheduler"), scheduler);
        File.SetUnixFileMode(scheduler, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var site = Directory.CreateDirectory(Path.Combine(kit.Root, "python")).FullName;
        await File.WriteAllTextAsync(Path.Combine(site, "sitecustomize.py"), TextPipes, Ct);

        var functional = Path.Combine(FossologyKit.KitDir, "src", "scheduler", "agent_tests", "Functional");
        var results = Path.Combine(kit.Root, "results.xml");
        // Functional.py goes up three folders from where it is started: OUT/src/scheduler/agent_tests → OUT.
        var psi = new ProcessStartInfo("python3", [Path.Combine(functional, "Functional.py"), $"--tests={Path.Combine(functional, "Functional.xml")}", $"--specific={suite}", $"--results={results}"])
        {
            WorkingDirectory = Path.Combine(kit.Root, "src", "scheduler", "agent_tests"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["SHOAL"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "shoal.dll")}";
        psi.Environment["PYTHONPATH"] = site;
        using var run = Process.Start(psi)!;
        var stdout = run.StandardOutput.ReadToEndAsync(Ct);
        var stderr = run.StandardError.ReadToEndAsync(Ct);
        try
        {
            await run.WaitForExitAsync(Ct).WaitAsync(TimeSpan.FromMinutes(4), Ct);
        }
        catch (TimeoutException)
        {
            run.Kill(entireProcessTree: true);
        }

        kit.KillLeftOvers();
        var output = $"{await stdout}\n{await stderr}";
        return (suite, File.Exists(results) ? XDocument.Load(results) : new XDocument(new XElement("none")), output);
    }
}

/// <summary>
/// A PostgreSQL database of its own holding FOSSology's tables: the kit's <c>fossology-queue-schema.sql</c>, and the
/// <c>agent</c> table its agent library checks (<c>fo_check_agentdb</c>) when an agent opens the database.
/// </summary>
internal sealed class FossologyDatabase : IAsyncDisposable
{
    private FossologyDatabase(string name, NpgsqlConnectionStringBuilder server)
    {
        Name = name;
        Server = server;
    }

    public string Name { get; }

    private NpgsqlConnectionStringBuilder Server { get; }

    public string ConnectionString => new NpgsqlConnectionStringBuilder(Server.ConnectionString) { Database = Name }.ConnectionString;

    /// <summary>FOSSology's Db.conf for this database.</summary>
    public string DbConf => $"dbname={Name};\nhost={Server.Host};\nport={Server.Port};\nuser={Server.Username};\npassword={Server.Password};\n";

    public static async Task<FossologyDatabase> CreateAsync(CancellationToken ct)
    {
        var server = new NpgsqlConnectionStringBuilder(PostgresTestDatabase.ConnectionString);
        var name = "fo_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(server.ConnectionString))
        {
            await admin.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync(ct);
        }

        var db = new FossologyDatabase(name, server);
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.OpenAsync(ct);
        var schema = await File.ReadAllTextAsync(Path.Combine(FossologyKit.KitDir, "fossology-queue-schema.sql"), ct);
        await using var apply = new NpgsqlCommand(
            schema + "\nCREATE TABLE agent (agent_pk serial PRIMARY KEY, agent_name text NOT NULL, agent_rev text, agent_desc text, agent_enabled boolean DEFAULT true);",
            connection);
        await apply.ExecuteNonQueryAsync(ct);
        return db;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(Server.ConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }
}
