using System.Security.Cryptography;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

// Webhook signing secrets (API.md §6), sealed at rest by SigningSecretBox as in the SQLite store (AES-256-GCM, a 12-byte nonce,
// the 16-byte tag, "<org_id>\n<id>" as associated data). The plaintext is never stored.
public sealed partial class PostgresStore
{
    private const int SecretKeyLength = 32;

    private byte[]? _signingSecretKey;

    /// <summary>
    /// Gives the store the AES-256-GCM key (32 bytes) that encrypts webhook signing secrets at rest. Call it once,
    /// before the first signing-secret method; calling it again with the same key does nothing.
    /// </summary>
    /// <returns>This store, so the composition root can register it as <see cref="ISigningSecretStore"/> in one expression.</returns>
    public PostgresStore UseSigningSecretKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != SecretKeyLength)
        {
            throw new ArgumentException($"The signing-secret key must be {SecretKeyLength} bytes; it is {key.Length}.", nameof(key));
        }

        var copy = key.ToArray();
        var existing = Interlocked.CompareExchange(ref _signingSecretKey, copy, null);
        if (existing is not null && !CryptographicOperations.FixedTimeEquals(existing, copy))
        {
            throw new InvalidOperationException("The store has a different signing-secret key already.");
        }

        return this;
    }

    /// <remarks>The organization's secrets are locked first, so concurrent creates and rolls of one organization take turns.</remarks>
    public Task<NewSigningSecret> CreateSigningSecretAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = SigningSecretKey();
        return WriteAsync(async db =>
        {
            await LockOrganizationSecretsAsync(db, orgId);
            await RevokeSigningAsync(db, orgId, now);
            return await InsertSecretAsync(db, key, orgId, now);
        }, cancellationToken);
    }

    public Task<NewSigningSecret?> RollSigningSecretAsync(string orgId, TimeSpan overlap, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(overlap, TimeSpan.Zero);
        var key = SigningSecretKey();
        return WriteAsync<NewSigningSecret?>(async db =>
        {
            await LockOrganizationSecretsAsync(db, orgId);
            var current = await db.ScalarAsync<string>(
                "SELECT id FROM signing_secrets WHERE org_id = @org AND status = 'active'", ("org", orgId));
            if (current is null)
            {
                return null;
            }

            await db.ExecuteAsync(
                "UPDATE signing_secrets SET status = 'revoked', revoked_at = @now WHERE org_id = @org AND status = 'rolled' AND revoked_at > @now",
                ("org", orgId), ("now", now));
            await db.ExecuteAsync(
                "UPDATE signing_secrets SET status = @status, revoked_at = @until WHERE id = @id",
                ("id", current), ("status", overlap > TimeSpan.Zero ? "rolled" : "revoked"), ("until", now + overlap));
            return await InsertSecretAsync(db, key, orgId, now);
        }, cancellationToken);
    }

    public Task DeleteSigningSecretsAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(db => RevokeSigningAsync(db, orgId, now), cancellationToken);

    public Task<SigningSecretMeta?> GetCurrentSigningSecretAsync(string orgId, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync(
            "SELECT id, org_id, preview, status, created_at, revoked_at FROM signing_secrets WHERE org_id = @org AND status = 'active'",
            ReadMeta,
            ("org", orgId)), cancellationToken);

    public Task<IReadOnlyList<string>> GetSigningSecretsAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = SigningSecretKey();
        return ReadAsync<IReadOnlyList<string>>(async db => await db.QueryAsync(
            """
            SELECT id, org_id, secret FROM signing_secrets
            WHERE org_id = @org AND (status = 'active' OR (status = 'rolled' AND revoked_at > @now))
            ORDER BY status = 'active' DESC, created_at DESC, ordinal DESC
            """,
            reader => SigningSecretBox.Open(key, reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2)),
            ("org", orgId), ("now", now)), cancellationToken);
    }

    private static Task<int> LockOrganizationSecretsAsync(PgSession db, string orgId) =>
        db.ExecuteAsync("SELECT pg_advisory_xact_lock(hashtext('enrichflow.signing_secrets:' || @org))", ("org", orgId));

    private static Task<int> RevokeSigningAsync(PgSession db, string orgId, DateTimeOffset now) =>
        db.ExecuteAsync(
            """
            UPDATE signing_secrets SET status = 'revoked', revoked_at = @now
            WHERE org_id = @org AND (status = 'active' OR (status = 'rolled' AND revoked_at > @now))
            """,
            ("org", orgId), ("now", now));

    private static async Task<NewSigningSecret> InsertSecretAsync(PgSession db, byte[] key, string orgId, DateTimeOffset now)
    {
        var plaintext = SigningSecretText.New();
        var meta = new SigningSecretMeta(Guid.CreateVersion7(now).ToString("D"), orgId, SigningSecretText.Preview(plaintext), SigningSecretStatus.Active, now, null);
        await db.ExecuteAsync(
            """
            INSERT INTO signing_secrets (id, org_id, preview, secret, status, created_at, revoked_at)
            VALUES (@id, @org, @preview, @secret, 'active', @created, NULL)
            """,
            ("id", meta.Id), ("org", orgId), ("preview", meta.Preview), ("secret", SigningSecretBox.Seal(key, meta.Id, orgId, plaintext)), ("created", now));
        return new NewSigningSecret(plaintext, meta);
    }

    private static SigningSecretMeta ReadMeta(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetString(3) switch
        {
            "active" => SigningSecretStatus.Active,
            "rolled" => SigningSecretStatus.Rolled,
            _ => SigningSecretStatus.Revoked,
        },
        reader.GetTime(4),
        reader.GetTimeOrNull(5));

    private byte[] SigningSecretKey() =>
        _signingSecretKey ?? throw new InvalidOperationException("The store has no signing-secret key; call UseSigningSecretKey first.");
}
