using Microsoft.AspNetCore.Http;
using Shoal.Contracts;
using Shoal.Storage;

namespace Shoal.Server.Api;

/// <summary>
/// The shared shape of control endpoints (pause, resume, cancel, force of a stream or a job): parse the id,
/// act (an operation of <see cref="Operations.JobOperations"/>), and answer the new state, 404 or 409.
/// </summary>
internal static class Control
{
    /// <summary>What a 409 of a requeue adds to the state it names.</summary>
    public const string NothingFailed = ": nothing in it failed (or its stream was cancelled), there is nothing to requeue";

    public static async Task<IResult> RunAsync(
        string kind, string id, Func<long, Task<ControlOutcome>> action, Func<long, Task<string?>> stateOf, string? conflict = null)
    {
        if (!long.TryParse(id, out var n))
        {
            return Problems.BadRequest($"{kind} id '{id}' is not a number");
        }

        var outcome = await action(n).ConfigureAwait(false);
        var state = await stateOf(n).ConfigureAwait(false);
        return outcome switch
        {
            ControlOutcome.NotFound => Problems.NotFound($"no {kind} {n}"),
            ControlOutcome.InvalidState => Problems.Conflict($"{kind} {n} is {state}{conflict}"),
            _ => Results.Json(new ControlResponse(n, state!), ShoalJson.Options),
        };
    }
}
