using Microsoft.AspNetCore.Http;
using Shoal.Contracts;

namespace Shoal.Server.Api;

/// <summary>Problem-details answers with a precise message.</summary>
internal static class Problems
{
    public static IResult Of(int status, string title, string? detail = null) =>
        Results.Json(new ProblemDto(title, status, detail), ShoalJson.Options, "application/problem+json", status);

    public static IResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, "bad request", detail);

    public static IResult NotFound(string what) => Of(StatusCodes.Status404NotFound, "not found", what);

    public static IResult Conflict(string detail) => Of(StatusCodes.Status409Conflict, "conflict", detail);

    public static IResult TooLarge(long limit) =>
        Of(StatusCodes.Status413PayloadTooLarge, "payload too large", $"the body is larger than the limit of {limit} bytes ([SCHEDULER] max_body_bytes)");
}
