namespace Enrichflow.Core.Storage;

/// <summary>Organizations, API keys, uploads and idempotency records.</summary>
public interface IAccountStore
{
    /// <summary>Creates the schema or brings it up to date.</summary>
    Task MigrateAsync(CancellationToken cancellationToken);

    Task<bool> HasAnyOrganizationAsync(CancellationToken cancellationToken);

    /// <summary>Returns the organization with this id, creating it when absent.</summary>
    Task<Organization> GetOrCreateOrganizationAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken);

    /// <summary>The key with this SHA-256 hash, or null.</summary>
    Task<ApiKeyRecord?> FindApiKeyAsync(byte[] hash, CancellationToken cancellationToken);

    /// <summary>Every key, revoked ones included, oldest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(CancellationToken cancellationToken);

    /// <summary>Marks the key revoked (it authenticates no more); false when no key has this id. Revoking twice keeps the first time.</summary>
    Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset now, CancellationToken cancellationToken);

    Task AddUploadAsync(UploadRecord upload, CancellationToken cancellationToken);

    /// <summary>The upload, or null when it does not exist or belongs to another organization.</summary>
    Task<UploadRecord?> GetUploadAsync(string orgId, Guid handleId, CancellationToken cancellationToken);

    Task<IdempotencyRecord?> GetIdempotencyAsync(string orgId, string key, CancellationToken cancellationToken);

    /// <summary>Adds the record; false when (org, key) exists already. Records older than <paramref name="expiredBefore"/> are replaced.</summary>
    Task<bool> TryAddIdempotencyAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken);

    /// <summary>True when the store can be reached (readiness probe).</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}
