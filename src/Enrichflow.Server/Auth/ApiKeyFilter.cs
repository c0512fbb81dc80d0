using System.Security.Cryptography;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting;
using Enrichflow.Server.Http;

namespace Enrichflow.Server.Auth;

/// <summary>The organization a request acts for, from its <c>x-api-key</c>.</summary>
public sealed record Caller(string OrgId, string KeyId, bool ReadOnly);

/// <summary>
/// Requires a valid, unrevoked <c>x-api-key</c> (401 otherwise), within its request rate (429, docs/api.md §1) and, for anything but GET, a key that may write (403).
/// </summary>
public sealed class ApiKeyFilter(IAccountStore accounts, KeyRateLimiter limiter) : IEndpointFilter
{
    public const string Header = "x-api-key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (string.IsNullOrEmpty(key))
        {
            return ApiErrors.Unauthorized("Invalid API key");
        }

        var hash = ApiKeys.Hash(key);
        var record = await accounts.FindApiKeyAsync(hash, http.RequestAborted);
        if (record is null || record.RevokedAt is not null || !CryptographicOperations.FixedTimeEquals(record.Hash, hash))
        {
            return ApiErrors.Unauthorized("Invalid API key");
        }

        if (limiter.TryAcquire(http, record.Id) is { } tooMany)
        {
            return tooMany;
        }

        if (record.ReadOnly && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method))
        {
            return ApiErrors.Forbidden("Access denied");
        }

        http.Items[typeof(Caller)] = new Caller(record.OrgId, record.Id, record.ReadOnly);
        return await next(context);
    }
}

public static class CallerExtensions
{
    public static Caller Caller(this HttpContext context) =>
        context.Items[typeof(Caller)] as Caller ?? throw new InvalidOperationException("The request has no authenticated caller.");

    public static RouteGroupBuilder RequireApiKey(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter<ApiKeyFilter>();
        group.WithMetadata(OpenApi.ApiKeyRequired.Instance);
        return group;
    }
}
