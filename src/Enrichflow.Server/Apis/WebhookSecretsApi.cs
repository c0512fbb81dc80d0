using System.Text.Json;
using Enrichflow.Core.Storage;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.Extensions.Options;

using Enrichflow.Server.OpenApi;

namespace Enrichflow.Server.Apis;

/// <summary>A signing secret as the API shows it (docs/api.md §6): never the secret, only its preview.</summary>
public sealed record SigningSecretResponse(string Id, string OrgId, string Preview, SigningSecretStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt)
{
    public static SigningSecretResponse From(SigningSecretMeta meta) =>
        new(meta.Id, meta.OrgId, meta.Preview, meta.Status, meta.CreatedAt, meta.RevokedAt);
}

/// <summary>A secret just made: the only response that carries its plaintext.</summary>
public sealed record NewSigningSecretResponse(string Plaintext, SigningSecretResponse Meta)
{
    public static NewSigningSecretResponse From(NewSigningSecret secret) => new(secret.Plaintext, SigningSecretResponse.From(secret.Meta));
}

/// <summary>The organization's webhook signing secret (docs/api.md §6): show, create, roll with an overlap, delete.</summary>
public static class WebhookSecretsApi
{
    public const double DefaultOverlapHours = 24;
    public const double MaxOverlapHours = 72;

    public static RouteGroupBuilder MapWebhookSecretsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/webhooks/signing-secret").RequireApiKey().WithTags("Webhooks");
        group.MapGet("", GetSecret).WithSummary("The current signing secret").WithDescription("Its metadata, or null when there is none.");
        group.MapPost("", CreateSecret).WithSummary("Create a signing secret").WithDescription("The plaintext is shown this once; an older secret is revoked.");
        group.MapPost("/roll", RollSecret).DocumentsBody<RollSecretBody>("application/json", optional: true).WithSummary("Roll the signing secret").WithDescription("The previous secret keeps signing for the overlap.");
        group.MapDelete("", DeleteSecret).WithSummary("Delete the signing secret").WithDescription("Deliveries are unsigned from then on.");
        return group;
    }

    /// <summary>The current secret's metadata, or JSON <c>null</c> when deliveries are unsigned.</summary>
    public static async Task<Results<Ok<SigningSecretResponse>, ContentHttpResult>> GetSecret(HttpContext http, ISigningSecretStore secrets, CancellationToken cancellationToken)
    {
        var meta = await secrets.GetCurrentSigningSecretAsync(http.Caller().OrgId, cancellationToken);
        return meta is null
            ? TypedResults.Content("null", "application/json; charset=utf-8")
            : TypedResults.Ok(SigningSecretResponse.From(meta));
    }

    /// <summary>A new secret, shown once; older ones stop signing now.</summary>
    public static async Task<Created<NewSigningSecretResponse>> CreateSecret(HttpContext http, ISigningSecretStore secrets, TimeProvider time, CancellationToken cancellationToken)
    {
        var created = await secrets.CreateSigningSecretAsync(http.Caller().OrgId, time.GetUtcNow(), cancellationToken);
        return TypedResults.Created((string?)null, NewSigningSecretResponse.From(created));
    }

    /// <summary>A new secret, shown once; the current one keeps signing for <c>expire_overlap_hours</c> (default 24, at most 720).</summary>
    public static async Task<Results<Ok<NewSigningSecretResponse>, BadRequest<ErrorBody>, NotFound<ErrorBody>, UnprocessableEntity<ValidationBody>, JsonBodyError>> RollSecret(
        HttpContext http, ISigningSecretStore secrets, IOptions<ServerOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadAsync(http.Request, options.Value.Limits.MaxRequestBytes, allowEmpty: true, cancellationToken);
        if (error is not null)
        {
            return error;
        }

        using var _ = document;
        var hours = DefaultOverlapHours;
        if (document is not null)
        {
            var body = document.RootElement;
            if (body.ValueKind != JsonValueKind.Object)
            {
                return ApiErrors.Unprocessable(["body"], "Input should be a valid dictionary", "dict_type");
            }

            if (body.TryGetProperty("expire_overlap_hours", out var value) && value.ValueKind != JsonValueKind.Null)
            {
                if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out hours))
                {
                    return ApiErrors.Unprocessable(["body", "expire_overlap_hours"], "Input should be a valid number", "float_type");
                }

                if (hours is < 0 or > MaxOverlapHours || double.IsNaN(hours))
                {
                    return ApiErrors.BadRequest($"expire_overlap_hours must be between 0 and {MaxOverlapHours} (got {value.GetRawText()}).");
                }
            }
        }

        var rolled = await secrets.RollSigningSecretAsync(http.Caller().OrgId, TimeSpan.FromHours(hours), time.GetUtcNow(), cancellationToken);
        return rolled is null
            ? ApiErrors.NotFound("No signing secret to roll; create one with POST /webhooks/signing-secret.")
            : TypedResults.Ok(NewSigningSecretResponse.From(rolled));
    }

    /// <summary>Revokes every secret of the organization; deliveries are then unsigned.</summary>
    public static async Task<NoContent> DeleteSecret(HttpContext http, ISigningSecretStore secrets, TimeProvider time, CancellationToken cancellationToken)
    {
        await secrets.DeleteSigningSecretsAsync(http.Caller().OrgId, time.GetUtcNow(), cancellationToken);
        return TypedResults.NoContent();
    }
}
