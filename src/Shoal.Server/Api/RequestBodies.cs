using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Shoal.Server.Api;

/// <summary>
/// A route's request body in the OpenAPI document, from the <c>Shoal.Contracts</c> record it takes. Not
/// <c>Accepts&lt;T&gt;</c>: that metadata also makes routing refuse another Content-Type with 415, and the API reads
/// a JSON body whatever curl says it is.
/// </summary>
internal static class RequestBodies
{
    public static RouteHandlerBuilder Takes<T>(this RouteHandlerBuilder route) =>
        route.AddOpenApiOperationTransformer(async (operation, context, ct) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(T), null, ct).ConfigureAwait(false);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
        });
}
