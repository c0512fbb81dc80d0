using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Enrichflow.Server.OpenApi;

/// <summary>
/// The body an endpoint reads itself, for the OpenAPI document only. Unlike <c>Accepts</c>, it puts no content-type
/// constraint on routing: a body sent as <c>text/plain</c> is read and judged like any other (a FastAPI-shaped
/// answer), not refused with an empty 415 before the handler sees it.
/// </summary>
public sealed record DocumentedBody(Type Type, string ContentType, bool Optional);

public static class DocumentedBodyExtensions
{
    /// <summary>Describes <typeparamref name="T"/> as the endpoint's request body in the OpenAPI document.</summary>
    public static RouteHandlerBuilder DocumentsBody<T>(this RouteHandlerBuilder builder, string contentType = "application/json", bool optional = false) =>
        builder.WithMetadata(new DocumentedBody(typeof(T), contentType, optional));
}

/// <summary>Writes each <see cref="DocumentedBody"/> into its operation as the request body.</summary>
internal sealed class DocumentedBodies : IOpenApiOperationTransformer
{
    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DocumentedBody>().FirstOrDefault() is not { } body)
        {
            return;
        }

        var schema = await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = !body.Optional,
            Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [body.ContentType] = new OpenApiMediaType { Schema = schema } },
        };
    }
}
