using System.CommandLine;
using Shoal.Cli.Client;
using Shoal.Cli.Output;
using Shoal.Contracts;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal token create|list|revoke</c>: API tokens (shown once, stored hashed).</summary>
internal static class TokenCommand
{
    public static Command Build()
    {
        var command = new Command("token", "Create, list and revoke API tokens");
        command.Subcommands.Add(Create());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Create()
    {
        var agent = new Option<string?>("--agent") { Description = "Create an agent token for this agent name (may lease, heartbeat, report)" };
        var admin = new Option<string?>("--admin") { Description = "Create an admin token with this name (may submit and control)", Arity = ArgumentArity.ZeroOrOne };
        var tags = new Option<string?>("--tags") { Description = "The agent's tags, comma-separated (networks or entities it can reach)" };
        var host = new Option<string?>("--host") { Description = "Create an agent token for one host: it may check in as that host only (tag host:NAME; the agent's name is the host's unless --agent)" };
        var output = new Option<string?>("--output", "-o") { Description = "Write the token to this file (mode 0600), only once it is made, instead of printing it: a shell's '> FILE' makes the file readable by others, and empty when the server cannot be reached" };
        var command = new Command("create", "Create a token; it is printed once and stored only as a hash") { agent, admin, tags, host, output };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            var hostName = result.GetValue(host);
            if (hostName is not null && Core.Sweeps.HostName.Problem(hostName) is { } problem)
            {
                throw new CliException($"--host: '{hostName}' {problem}", 2);
            }

            var agentName = result.GetValue(agent) ?? hostName;
            var adminGiven = result.GetResult(admin) is not null;
            if ((agentName is null) == !adminGiven)
            {
                throw new CliException("give exactly one of --agent NAME (or --host NAME) or --admin [NAME]", 2);
            }

            var tagList = (result.GetValue(tags)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [])
                .Concat(hostName is null ? [] : [$"host:{hostName}"]).Distinct(StringComparer.Ordinal).ToList();
            var request = agentName is not null
                ? new TokenCreateRequest("agent", agentName, tagList)
                : new TokenCreateRequest("admin", result.GetValue(admin) ?? "admin");
            var created = await client.CreateTokenAsync(request, ct).ConfigureAwait(false);
            if (result.GetValue(output) is { } file)
            {
                await WriteSecretAsync(file, created, ct).ConfigureAwait(false);
            }

            Render.Out(g.Json, created, c =>
            {
                if (result.GetValue(output) is null)
                {
                    Console.WriteLine(c.Token);
                }

                Console.Error.WriteLine($"token {c.Id} ({c.Role} '{c.Name}'{(c.Tags.Count > 0 ? ", tags " + string.Join(',', c.Tags) : "")}): "
                    + (result.GetValue(output) is { } file ? $"written to {file}, readable by you only" : "keep it now, it is not shown again"));
            });
            return 0;
        }));
        return command;
    }

    /// <summary>The token into <paramref name="file"/>, readable by its owner only, replaced whole (never half-written).</summary>
    private static async Task WriteSecretAsync(string file, TokenCreated created, CancellationToken ct)
    {
        var full = Path.GetFullPath(file);
        var temporary = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using (var stream = new FileStream(temporary, options))
            {
                await stream.WriteAsync(System.Text.Encoding.UTF8.GetBytes(created.Token + "\n"), ct).ConfigureAwait(false);
            }

            File.Move(temporary, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temporary);
            throw new CliException($"cannot write {file}: {ex.Message} (token {created.Id} was made: 'shoal token revoke {created.Id}', then make another)", 2);
        }
    }

    private static Command List()
    {
        var command = new Command("list", "List tokens (never their secrets)");
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            static string State(TokenDto t) => t.RevokedAt is null ? "live" : "revoked " + t.RevokedAt.Value.ToString("u");
            Render.Out(g.Json, await client.TokensAsync(ct).ConfigureAwait(false), list => Render.Rows(
                list,
                ["id", "role", "name", "tags", "state"],
                t => [t.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Role, t.Name, string.Join(',', t.Tags), State(t)],
                "name",
                "tags"));
            return 0;
        }));
        return command;
    }

    private static Command Revoke()
    {
        var id = new Argument<long>("id") { Description = "Token id (see 'shoal token list')" };
        var command = new Command("revoke", "Revoke a token: every request with it is refused from now on") { id };
        command.SetAction((result, ct) => ShoalCommand.RunAsync(result, async (client, g) =>
        {
            Render.Out(g.Json, await client.RevokeTokenAsync(result.GetValue(id), ct).ConfigureAwait(false), _ => Console.WriteLine($"token {result.GetValue(id)} revoked"));
            return 0;
        }));
        return command;
    }
}
