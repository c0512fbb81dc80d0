using Enrichflow.Core.Storage;
using Enrichflow.Server.Http;

namespace Enrichflow.Server.Apis;

public sealed record HealthResponse(string Status);

public sealed record ReadyResponse(string Status, bool Store, bool BlobStore);

/// <summary>Liveness and readiness probes (docs/api.md §11).</summary>
public static class HealthApi
{
    public static RouteGroupBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").WithTags("Operations");
        group.MapGet("/healthz", Health);
        group.MapGet("/readyz", Ready);
        return group;
    }

    public static Ok<HealthResponse> Health() => TypedResults.Ok(new HealthResponse("ok"));

    public static async Task<Results<Ok<ReadyResponse>, ServiceUnavailable<ReadyResponse>>> Ready(IAccountStore store, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var storeOk = await Probe(() => store.PingAsync(cancellationToken));
        var blobsOk = await Probe(async () => await blobs.PingAsync(cancellationToken));
        var body = new ReadyResponse(storeOk && blobsOk ? "ready" : "unavailable", storeOk, blobsOk);
        return storeOk && blobsOk ? TypedResults.Ok(body) : new ServiceUnavailable<ReadyResponse>(body);
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
