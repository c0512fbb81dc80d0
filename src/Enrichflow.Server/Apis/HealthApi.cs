using Enrichflow.Core.Storage;
using Enrichflow.Hosting.Retention;
using Enrichflow.Server.Http;

namespace Enrichflow.Server.Apis;

public sealed record HealthResponse(string Status);

/// <summary>The readiness answer; <see cref="Details"/> holds the sizes retention watches (docs/api.md §9.1, §11).</summary>
public sealed record ReadyResponse(string Status, bool Store, bool BlobStore, ReadyDetails? Details = null);

/// <summary>
/// The store's bytes now (database and journal); the blob store's bytes and files and each organization's records as
/// the last retention pass measured them (<see cref="MeasuredAt"/>; null before the first pass).
/// </summary>
public sealed record ReadyDetails(long StoreBytes, long StoreJournalBytes, long? BlobBytes, long? BlobCount, DateTimeOffset? MeasuredAt, IReadOnlyList<OrganizationUsage>? Organizations);

/// <summary>One organization's stored records: runs, uploads, and the bytes of its result files and uploads.</summary>
public sealed record OrganizationUsage(string OrgId, long Runs, long Uploads, long ResultBytes, long UploadBytes, long StoredBytes);

/// <summary>Liveness and readiness probes (docs/api.md §11).</summary>
public static class HealthApi
{
    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Operations");
        group.MapGet("/healthz", Health).WithSummary("Liveness").WithDescription("No key needed.");
        group.MapGet("/readyz", Ready).WithSummary("Readiness").WithDescription("The store and blob store reachable, with the sizes retention watches. No key needed.");
        return group;
    }

    public static Ok<HealthResponse> Health() => TypedResults.Ok(new HealthResponse("ok"));

    /// <summary>
    /// Needs no key. The sizes are the whole server's; an organization's usage is shown only to a caller whose valid
    /// <c>x-api-key</c> belongs to it (tenant ids and sizes are nobody else's business).
    /// </summary>
    public static async Task<Results<Ok<ReadyResponse>, ServiceUnavailable<ReadyResponse>>> Ready(HttpContext http, IAccountStore store, IBlobStore blobs, IRetentionStore retention, StorageUsage usage, CancellationToken cancellationToken)
    {
        var storeOk = await Probe(() => store.PingAsync(cancellationToken));
        var blobsOk = await Probe(async () => await blobs.PingAsync(cancellationToken));
        var org = storeOk ? await CallerOrgAsync(http, store, cancellationToken) : null;
        var details = storeOk ? await DetailsAsync(retention, usage, org, cancellationToken) : null;
        var body = new ReadyResponse(storeOk && blobsOk ? "ready" : "unavailable", storeOk, blobsOk, details);
        return storeOk && blobsOk ? TypedResults.Ok(body) : new ServiceUnavailable<ReadyResponse>(body);
    }

    private static async Task<string?> CallerOrgAsync(HttpContext http, IAccountStore accounts, CancellationToken cancellationToken)
    {
        var key = http.Request.Headers[Auth.ApiKeyFilter.Header].ToString();
        if (string.IsNullOrEmpty(key))
        {
            return null;
        }

        try
        {
            var hash = Enrichflow.Hosting.ApiKeys.Hash(key);
            var record = await accounts.FindApiKeyAsync(hash, cancellationToken);
            return record is { RevokedAt: null } && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(record.Hash, hash) ? record.OrgId : null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<ReadyDetails?> DetailsAsync(IRetentionStore retention, StorageUsage usage, string? org, CancellationToken cancellationToken)
    {
        try
        {
            var size = await retention.MeasureAsync(cancellationToken);
            var last = usage.Latest;
            return new ReadyDetails(size.DatabaseBytes, size.JournalBytes, last?.BlobBytes, last?.BlobCount, last?.MeasuredAt,
                org is null ? null : last?.Organizations.Where(o => o.OrgId == org).Select(o => new OrganizationUsage(o.OrgId, o.Runs, o.Uploads, o.ResultBytes, o.UploadBytes, o.ResultBytes + o.UploadBytes)).ToList());
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<bool> Probe(Func<Task<bool>> check)
    {
        try
        {
            return await check();
        }
        catch (Exception)
        {
            return false;
        }
    }
}
