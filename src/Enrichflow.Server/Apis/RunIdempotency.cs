using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Enrichflow.Core.Storage;

namespace Enrichflow.Server.Apis;

/// <summary>
/// <c>Idempotency-Key</c> on <c>POST /workflows/run</c> (docs/api.md §3): the same key and request within 24 hours answers
/// the first call's response again (with <c>already_started</c>) and starts nothing; the same key with another
/// request is a conflict.
/// </summary>
internal static class RunIdempotency
{
    public const string Header = "Idempotency-Key";

    private static readonly TimeSpan Window = TimeSpan.FromHours(24);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>What makes two requests the same: the workflow, the result formats and the body.</summary>
    public static string RequestHash(string workflowId, IReadOnlyList<ResultFormat> formats, string bodyHash) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{workflowId}\n{string.Join(',', formats.Select(f => f.ToWire()))}\n{bodyHash}")));

    /// <summary>The request's key; empty when it has none.</summary>
    public static string Key(HttpContext http) => http.Request.Headers[Header].ToString();

    /// <summary>The first request made with <paramref name="key"/> within the window; null when there was none.</summary>
    public static async Task<IdempotencyRecord?> FindAsync(IAccountStore accounts, string orgId, string key, TimeProvider time, CancellationToken cancellationToken) =>
        key.Length > 0 && await accounts.GetIdempotencyAsync(orgId, key, cancellationToken) is { } previous && previous.CreatedAt > time.GetUtcNow() - Window
            ? previous
            : null;

    /// <summary>The first call's response, answered again.</summary>
    public static RunStarted Replay(IdempotencyRecord previous) =>
        JsonSerializer.Deserialize<RunStarted>(previous.ResponseJson, Json)! with { AlreadyStarted = true };

    public static string Reused(string key) => $"Idempotency-Key '{key}' was used within 24 hours with a different request body.";

    /// <summary>
    /// The key to reserve in the transaction that records the run (so of racing requests with one key, one starts a
    /// run): this request's fingerprint and <paramref name="response"/>; null when the request has no key.
    /// </summary>
    public static IdempotencyReservation? Reservation(string orgId, string key, string requestHash, RunStarted response, TimeProvider time)
    {
        if (key.Length == 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        return new IdempotencyReservation(new IdempotencyRecord(orgId, key, requestHash, JsonSerializer.Serialize(response, Json), now), now - Window);
    }
}
