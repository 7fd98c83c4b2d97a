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
    /// <summary>What a 409 of a requeue says after the state it names.</summary>
    public static string NothingFailed(string? state) => state switch
    {
        "cancelled" => ": a cancelled job or stream is not requeued (an operator's cancel stands; for a job cancelled because a"
            + " dependency failed, requeue that dependency)",
        "failed" => ": its stream was cancelled by an operator, and requeue does not undo a cancel",
        _ => ": nothing in it failed, there is nothing to requeue",
    };

    public static async Task<IResult> RunAsync(
        string kind, string id, Func<long, Task<ControlOutcome>> action, Func<long, Task<string?>> stateOf, Func<string?, string>? conflict = null)
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
            ControlOutcome.InvalidState => Problems.Conflict($"{kind} {n} is {state}{conflict?.Invoke(state)}"),
            _ => Results.Json(new ControlResponse(n, state!), ShoalJson.Options),
        };
    }
}
