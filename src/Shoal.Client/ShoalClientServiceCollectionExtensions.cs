using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;

namespace Shoal.Client;

/// <summary>Where the server is and the token to send.</summary>
public sealed class ShoalClientOptions
{
    /// <summary>The server's address, e.g. <c>http://127.0.0.1:25890/</c> (its state folder's <c>server.url</c>).</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>An admin token (<c>shoal token create --admin NAME</c>).</summary>
    public string Token { get; set; } = "";
}

/// <summary><c>services.AddShoalClient(o => …)</c>.</summary>
public static class ShoalClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ShoalClient"/> as a typed client of <see cref="IHttpClientFactory"/>, with the standard
    /// resilience handler: reads (GET) are retried with backoff on transient failures; a submit or a control call (POST,
    /// DELETE) is never retried, so it cannot happen twice.
    /// </summary>
    public static IHttpClientBuilder AddShoalClient(this IServiceCollection services, Action<ShoalClientOptions> configure)
    {
        var options = new ShoalClientOptions();
        configure(options);
        if (options.BaseAddress is null)
        {
            throw new ArgumentException("ShoalClientOptions.BaseAddress is required", nameof(configure));
        }

        var builder = services.AddHttpClient<ShoalClient>(http => ShoalClient.Configure(http, options.BaseAddress, options.Token));
        builder.AddStandardResilienceHandler(r => r.Retry.DisableForUnsafeHttpMethods());
        return builder;
    }
}
