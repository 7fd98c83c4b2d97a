using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Shoal.Server.Hosting;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>
/// The first middleware of every REST request: the connection's deadline and cap bookkeeping, <c>nosniff</c>, and the
/// one place a failure becomes an answer (a bad request, a store that cannot write now, or a bug, logged; the server
/// carries on).
/// </summary>
internal static class RequestGuard
{
    public static Func<HttpContext, RequestDelegate, Task> Middleware(ConnectionCap connections, ILogger logger) => async (ctx, next) =>
    {
        FirstRequestDeadline.Seen(ctx);
        ConnectionCap.Begin(ctx);

        // No answer is ever sniffed into something else (a job's log is text/plain, whatever an agent wrote into it).
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex) when (!ctx.Response.HasStarted)
        {
            await Problems.Of(ex.StatusCode, "bad request", Problems.Plain(ex.Message)).ExecuteAsync(ctx).ConfigureAwait(false);
        }
        catch (StoreUnavailableException ex) when (!ctx.Response.HasStarted)
        {
            // Not the caller's fault and not a bug: the store cannot write now (reads still work). Retry later.
            Log.StoreUnavailable(logger, ex.Cause);
            ctx.Response.Headers.RetryAfter = "5";
            await Problems.Of(StatusCodes.Status503ServiceUnavailable, "store unavailable", ex.Message).ExecuteAsync(ctx).ConfigureAwait(false);
        }
        catch (Exception ex) when (!ctx.Response.HasStarted && ex is not OperationCanceledException)
        {
            // A bug, not the caller's fault: logged, answered as a problem, and the server carries on.
            Log.RequestFailed(logger, ex);
            await Problems.Of(StatusCodes.Status500InternalServerError, "internal error", ex.Message).ExecuteAsync(ctx).ConfigureAwait(false);
        }
        finally
        {
            connections.End(ctx, TokenAuth.SignedIn(ctx));
        }
};
}
