using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Shoal.Contracts;
using Shoal.Core.Model;
using Shoal.Server.Api;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Dashboard;

/// <summary>
/// The dashboard: its page and assets at <c>/</c>, sign-in and sign-out, and the reads it needs that the REST API
/// did not have (overview, server-sent events, failed parts, sweeps). Its actions are the REST API's own endpoints,
/// called with the session cookie and the CSRF token (see <see cref="TokenAuth"/>).
/// </summary>
internal static class DashboardEndpoints
{
    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["index.html"] = "text/html; charset=utf-8",
        ["app.js"] = "text/javascript; charset=utf-8",
        ["app.css"] = "text/css; charset=utf-8",
    };

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext http) => Asset(http, "index.html"));
        app.MapGet("/dashboard/{file}", (string file, HttpContext http) => ContentTypes.ContainsKey(file) ? Asset(http, file) : Problems.NotFound($"no file {file}"));
        app.MapPost("/dashboard/login", LoginAsync);
        app.MapPost("/dashboard/logout", (HttpContext http, DashboardSessions sessions) =>
        {
            var id = http.Request.Cookies[DashboardSessions.Cookie];
            if (sessions.Find(id) is not { } session || !DashboardSessions.CsrfMatches(session, http.Request.Headers[DashboardSessions.CsrfHeader]))
            {
                return Problems.Of(StatusCodes.Status403Forbidden, "forbidden", "missing session or wrong CSRF token");
            }

            sessions.End(id!);
            http.Response.Cookies.Delete(DashboardSessions.Cookie);
            return Results.Json(new { signed_in = false }, ShoalJson.Options);
        });
        app.MapGet("/dashboard/session", (HttpContext http, DashboardSessions sessions, ConfigHolder config) =>
        {
            var session = sessions.Find(http.Request.Cookies[DashboardSessions.Cookie]);
            return Results.Json(new { signed_in = session is not null, csrf = session?.Csrf, @public = config.Current.Dashboard.Public }, ShoalJson.Options);
        });

        var api = app.MapGroup("/api/v1");
        api.MapGet("/overview", async (OverviewFeed feed) => Results.Json(feed.Current ?? await feed.Next.ConfigureAwait(false), ShoalJson.Options)).WithMetadata(Api.DashboardRead.Instance);
        api.MapGet("/events", EventsAsync).WithMetadata(Api.DashboardRead.Instance);
        api.MapGet("/jobs/{id}/failed", async (string id, string? limit, IQueueStore store, CancellationToken ct) =>
            !long.TryParse(id, out var n) ? Problems.BadRequest($"job id '{id}' is not a number")
            : limit is not null && (!int.TryParse(limit, out var l) || l is < 1 or > 1000) ? Problems.BadRequest($"'limit' must be an integer from 1 to 1000, got '{limit}'")
            : await store.GetJobAsync(new JobId(n), ct).ConfigureAwait(false) is null ? Problems.NotFound($"no job {n}")
            : Results.Json(
                (await store.GetFailedPartsAsync(new JobId(n), limit is null ? 50 : int.Parse(limit, System.Globalization.CultureInfo.InvariantCulture), ct).ConfigureAwait(false))
                    .Select(p => new FailedPartDto(p.Id.Value, p.Payload, p.Attempt, p.Result, p.Log, p.Host)).ToList(),
                ShoalJson.Options)).WithMetadata(Api.DashboardRead.Instance);
        api.MapGet("/sweeps", async (int? limit, ISweepStore store, CancellationToken ct) =>
            Results.Json(
                (await store.ListSweepsAsync(Math.Clamp(limit ?? 20, 1, 500), ct).ConfigureAwait(false)).Select(s => new SweepSummaryDto(s.Stream.Value, s.Mode, s.StartedAt)).ToList(),
                ShoalJson.Options)).WithMetadata(Api.DashboardRead.Instance);
    }

    private static IResult Asset(HttpContext http, string file)
    {
        var asm = typeof(DashboardEndpoints).Assembly;
        using var stream = asm.GetManifestResourceStream($"Shoal.Server.Dashboard.wwwroot.{file}")!;
        using var reader = new StreamReader(stream);
        http.Response.Headers.ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-cache";
        return Results.Text(reader.ReadToEnd(), ContentTypes[file]);
    }

    private static async Task<IResult> LoginAsync(HttpContext http, ITokenStore store, DashboardSessions sessions, ConfigHolder config, CancellationToken ct)
    {
        var (body, error) = await JsonBody.ReadAsync<SignInRequest>(http.Request, config.Current.Scheduler.MaxBodyBytes, ct).ConfigureAwait(false);
        if (body is null)
        {
            return error!;
        }

        if (string.IsNullOrWhiteSpace(body.Token))
        {
            return Problems.BadRequest("'token' is required: an admin token");
        }

        var token = await store.FindTokenAsync(TokenAuth.Hash(body.Token), ct).ConfigureAwait(false);
        if (token is null || token.RevokedAt is not null || token.Role != TokenAuth.AdminRole)
        {
            return Problems.Of(StatusCodes.Status401Unauthorized, "unauthorized", "not a live admin token");
        }

        var (id, session) = sessions.Create(token.Hash);
        http.Response.Cookies.Append(DashboardSessions.Cookie, id, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = http.Request.IsHttps,
            Path = "/",
            Expires = session.Expires,
        });
        return Results.Json(new { signed_in = true, csrf = session.Csrf }, ShoalJson.Options);
    }

    /// <summary>Server-sent events: the overview every second, until the browser goes away.</summary>
    private static async Task EventsAsync(HttpContext http, OverviewFeed feed, CancellationToken ct)
    {
        // Anyone may watch a public dashboard, so anyone could hold every connection with its live feed: viewers are capped.
        var viewer = !Api.TokenAuth.SignedIn(http);
        if (viewer && !feed.TryAddViewer())
        {
            http.Response.Headers.RetryAfter = "30";
            await Problems.Of(StatusCodes.Status503ServiceUnavailable, "too many viewers", $"the public dashboard's live feed has {OverviewFeed.MaxViewers} viewers already; sign in, or try again later").ExecuteAsync(http).ConfigureAwait(false);
            return;
        }

        try
        {
            await FeedAsync(http, feed, ct).ConfigureAwait(false);
        }
        finally
        {
            if (viewer)
            {
                feed.RemoveViewer();
            }
        }
    }

    private static async Task FeedAsync(HttpContext http, OverviewFeed feed, CancellationToken ct)
    {
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        var last = feed.Current;
        while (!ct.IsCancellationRequested)
        {
            var overview = last ?? await feed.Next.WaitAsync(ct).ConfigureAwait(false);
            last = null;
            await http.Response.WriteAsync($"event: overview\ndata: {JsonSerializer.Serialize(overview, ShoalJson.Options)}\n\n", ct).ConfigureAwait(false);
            await http.Response.Body.FlushAsync(ct).ConfigureAwait(false);
            await ((Task)feed.Next).WaitAsync(ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            last = feed.Current;
        }
    }
}
