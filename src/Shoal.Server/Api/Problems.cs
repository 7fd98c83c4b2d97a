using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Shoal.Contracts;

namespace Shoal.Server.Api;

/// <summary>Problem-details answers with a precise message.</summary>
internal static partial class Problems
{
    /// <summary>
    /// ASP.NET Core's message for a query value of the wrong type (<c>Failed to bind parameter "Nullable&lt;int&gt; limit"
    /// from "abc".</c>) in the words of the rest of the API: <c>'limit' must be an integer, got 'abc'</c>; other messages as they are.
    /// </summary>
    public static string Plain(string message)
    {
        var m = BindFailure().Match(message);
        if (!m.Success)
        {
            return message;
        }

        var kind = m.Groups["type"].Value switch
        {
            "int" or "long" or "Int32" or "Int64" => "an integer",
            "double" or "Double" or "decimal" => "a number",
            "bool" or "Boolean" => "true or false",
            var other => "a " + other,
        };
        return $"'{m.Groups["name"].Value}' must be {kind}, got '{m.Groups["value"].Value}'";
    }

    public static IResult Of(int status, string title, string? detail = null) =>
        Results.Json(new ProblemDto(title, status, detail), ShoalJson.Options, "application/problem+json", status);

    public static IResult BadRequest(string detail) => Of(StatusCodes.Status400BadRequest, "bad request", detail);

    public static IResult NotFound(string what) => Of(StatusCodes.Status404NotFound, "not found", what);

    public static IResult Conflict(string detail) => Of(StatusCodes.Status409Conflict, "conflict", detail);

    public static IResult TooLarge(long limit) =>
        Of(StatusCodes.Status413PayloadTooLarge, "payload too large", $"the body is larger than the limit of {limit} bytes ([SCHEDULER] max_body_bytes)");

    [GeneratedRegex(@"^Failed to bind parameter ""(?:Nullable<)?(?<type>\w+)>? (?<name>\w+)"" from ""(?<value>.*)""\.$")]
    private static partial Regex BindFailure();
}
