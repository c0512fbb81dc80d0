using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    public Task<bool> HasAnyOrganizationAsync(CancellationToken cancellationToken) =>
        ReadAsync(db => db.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM organizations)"), cancellationToken);

    /// <remarks>A new organization is named after its id.</remarks>
    public Task<Organization> GetOrCreateOrganizationAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            await db.ExecuteAsync(
                "INSERT INTO organizations (id, name, created_at) VALUES (@id, @id, @now) ON CONFLICT (id) DO NOTHING",
                ("id", id), ("now", now));
            return (await db.QueryFirstAsync(
                "SELECT id, name, created_at FROM organizations WHERE id = @id",
                reader => new Organization(reader.GetString(0), reader.GetString(1), reader.GetTime(2)),
                ("id", id)))!;
        }, cancellationToken);

    /// <remarks>Throws <see cref="PostgresException"/> (a unique violation) when the id or the hash exists already.</remarks>
    public Task AddApiKeyAsync(ApiKeyRecord key, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "INSERT INTO api_keys (id, org_id, hash, read_only, created_at) VALUES (@id, @org, @hash, @readOnly, @created)",
            ("id", key.Id), ("org", key.OrgId), ("hash", key.Hash), ("readOnly", key.ReadOnly), ("created", key.CreatedAt)),
            cancellationToken);

    public Task<ApiKeyRecord?> FindApiKeyAsync(byte[] hash, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            "SELECT id, org_id, hash, read_only, created_at, revoked_at FROM api_keys WHERE hash = @hash",
            ReadApiKey,
            ("hash", hash)), cancellationToken);

    public Task<IReadOnlyList<ApiKeyRecord>> ListApiKeysAsync(CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ApiKeyRecord>>(async db => await db.QueryAsync(
            "SELECT id, org_id, hash, read_only, created_at, revoked_at FROM api_keys ORDER BY created_at, id",
            ReadApiKey), cancellationToken);

    public Task<bool> RevokeApiKeyAsync(string id, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = coalesce(revoked_at, @now) WHERE id = @id",
            ("id", id), ("now", now)) == 1,
            cancellationToken);

    private static ApiKeyRecord ReadApiKey(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetBoolean(3), reader.GetTime(4), reader.GetTimeOrNull(5));

    public Task AddUploadAsync(UploadRecord upload, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            """
            INSERT INTO uploads (handle_id, org_id, file_name, blob_key, size_bytes, created_at)
            VALUES (@id, @org, @fileName, @blobKey, @size, @created)
            """,
            ("id", upload.HandleId), ("org", upload.OrgId), ("fileName", upload.FileName), ("blobKey", upload.BlobKey),
            ("size", upload.SizeBytes), ("created", upload.CreatedAt)),
            cancellationToken);

    public Task<UploadRecord?> GetUploadAsync(string orgId, Guid handleId, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            "SELECT handle_id, org_id, file_name, blob_key, size_bytes, created_at FROM uploads WHERE handle_id = @id AND org_id = @org",
            ReadUpload,
            ("id", handleId), ("org", orgId)), cancellationToken);

    private static UploadRecord ReadUpload(NpgsqlDataReader reader) =>
        new(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4), reader.GetTime(5));

    /// <remarks>Returns the stored record even when it is older than the caller's expiry window.</remarks>
    public Task<IdempotencyRecord?> GetIdempotencyAsync(string orgId, string key, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            "SELECT org_id, key, request_hash, response_json, created_at FROM idempotency_records WHERE org_id = @org AND key = @key",
            ReadIdempotency,
            ("org", orgId), ("key", key)), cancellationToken);

    public Task<bool> TryAddIdempotencyAsync(IdempotencyRecord record, DateTimeOffset expiredBefore, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync(
            """
            INSERT INTO idempotency_records (org_id, key, request_hash, response_json, created_at)
            VALUES (@org, @key, @hash, @response, @created)
            ON CONFLICT (org_id, key) DO UPDATE SET
                request_hash = excluded.request_hash, response_json = excluded.response_json, created_at = excluded.created_at
            WHERE idempotency_records.created_at < @expiredBefore
            """,
            ("org", record.OrgId), ("key", record.Key), ("hash", record.RequestHash), ("response", record.ResponseJson),
            ("created", record.CreatedAt), ("expiredBefore", expiredBefore)) == 1,
            cancellationToken);
}
