using System.Reflection;
using Microsoft.AspNetCore.Http.Metadata;

namespace Enrichflow.Server.Http;

/// <summary>
/// A JSON body with a status ASP.NET Core has no typed result for (401, 403, 413, 415, 503). Each subclass declares
/// its status and body type to OpenAPI, so a handler's <c>Results&lt;...&gt;</c> union says every answer it gives.
/// Written as <see cref="TypedResults.Json{TValue}(TValue, System.Text.Json.JsonSerializerOptions?, string?, int?)"/> writes it.
/// </summary>
public abstract class JsonStatusResult<TValue>(TValue value) : IResult, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<TValue>
{
    public abstract int StatusCode { get; }

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public TValue Value { get; } = value;

    object? IValueHttpResult.Value => Value;

    public Task ExecuteAsync(HttpContext httpContext) => TypedResults.Json(Value, statusCode: StatusCode).ExecuteAsync(httpContext);

    protected static void Produces(EndpointBuilder builder, int statusCode)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(statusCode, typeof(TValue), ["application/json"]));
    }
}

/// <summary>401: no API key, or an unknown one.</summary>
public sealed class Unauthorized<TValue>(TValue value) : JsonStatusResult<TValue>(value), IEndpointMetadataProvider
{
    public override int StatusCode => StatusCodes.Status401Unauthorized;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Produces(builder, StatusCodes.Status401Unauthorized);
}

/// <summary>403: a read-only key that tried to write, or a download link that is invalid or expired.</summary>
public sealed class Forbidden<TValue>(TValue value) : JsonStatusResult<TValue>(value), IEndpointMetadataProvider
{
    public override int StatusCode => StatusCodes.Status403Forbidden;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Produces(builder, StatusCodes.Status403Forbidden);
}

/// <summary>413: a request body or upload over its limit.</summary>
public sealed class PayloadTooLarge<TValue>(TValue value) : JsonStatusResult<TValue>(value), IEndpointMetadataProvider
{
    public override int StatusCode => StatusCodes.Status413PayloadTooLarge;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Produces(builder, StatusCodes.Status413PayloadTooLarge);
}

/// <summary>415: an upload of a file type that is not taken.</summary>
public sealed class UnsupportedMediaType<TValue>(TValue value) : JsonStatusResult<TValue>(value), IEndpointMetadataProvider
{
    public override int StatusCode => StatusCodes.Status415UnsupportedMediaType;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Produces(builder, StatusCodes.Status415UnsupportedMediaType);
}

/// <summary>503: the server is up but cannot serve (a probe that failed).</summary>
public sealed class ServiceUnavailable<TValue>(TValue value) : JsonStatusResult<TValue>(value), IEndpointMetadataProvider
{
    public override int StatusCode => StatusCodes.Status503ServiceUnavailable;

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Produces(builder, StatusCodes.Status503ServiceUnavailable);
}
