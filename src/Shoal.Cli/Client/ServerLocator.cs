using Shoal.Client;
using Shoal.Server.Hosting;

namespace Shoal.Cli.Client;

/// <summary>Finds the server URL and admin token: flags first, then the state folder the server wrote them to.</summary>
internal static class ServerLocator
{
    public static ShoalClient Connect(GlobalOptions options)
    {
        var (url, token) = Resolve(options);
        return ShoalClient.Create(url, token);
    }

    /// <summary>The server URL and the token to use.</summary>
    public static (string Url, string Token) Resolve(GlobalOptions options)
    {
        var state = options.StateDir ?? ".shoal";
        var url = options.Server ?? ReadFile(Path.Combine(state, StateFiles.ServerUrlFile), "--server URL");
        var token = ReadFile(options.TokenFile ?? Path.Combine(state, StateFiles.AdminTokenFile), "--token-file FILE");
        return (url, token);
    }

    private static string ReadFile(string path, string flag)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot read {path} ({ex.Message}); is the server running here, or pass {flag}", 2);
        }
    }
}
