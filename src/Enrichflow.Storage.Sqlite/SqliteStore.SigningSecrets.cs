using System.Security.Cryptography;
using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore
{
    private const int SecretKeyLength = 32;

    private byte[]? _signingSecretKey;

    /// <summary>
    /// Gives the store the AES-256-GCM key (32 bytes) that encrypts webhook signing secrets at rest. Call it once,
    /// before the first signing-secret method; calling it again with the same key does nothing.
    /// </summary>
    /// <returns>This store, so the composition root can register it as <see cref="ISigningSecretStore"/> in one expression.</returns>
    public SqliteStore UseSigningSecretKey(ReadOnlySpan<byte> key)
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

    public Task<NewSigningSecret> CreateSigningSecretAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = SigningSecretKey();
        return WriteAsync(connection =>
        {
            RevokeSigning(connection, orgId, now);
            return InsertSecret(connection, key, orgId, now);
        }, cancellationToken);
    }

    public Task<NewSigningSecret?> RollSigningSecretAsync(string orgId, TimeSpan overlap, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(overlap, TimeSpan.Zero);
        var key = SigningSecretKey();
        return WriteAsync(connection =>
        {
            var current = connection.Scalar<string>(
                "SELECT id FROM signing_secrets WHERE org_id = $org AND status = 'active'", ("$org", orgId));
            if (current is null)
            {
                return null;
            }

            connection.Execute(
                "UPDATE signing_secrets SET status = 'revoked', revoked_at = $now WHERE org_id = $org AND status = 'rolled' AND revoked_at > $now",
                ("$org", orgId), ("$now", now));
            connection.Execute(
                "UPDATE signing_secrets SET status = $status, revoked_at = $until WHERE id = $id",
                ("$id", current), ("$status", overlap > TimeSpan.Zero ? "rolled" : "revoked"), ("$until", now + overlap));
            return InsertSecret(connection, key, orgId, now);
        }, cancellationToken);
    }

    public Task DeleteSigningSecretsAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(connection => RevokeSigning(connection, orgId, now), cancellationToken);

    public Task<SigningSecretMeta?> GetCurrentSigningSecretAsync(string orgId, CancellationToken cancellationToken) =>
        Task.FromResult(Read(connection => connection.QueryFirst(
            "SELECT id, org_id, preview, status, created_at, revoked_at FROM signing_secrets WHERE org_id = $org AND status = 'active'",
            ReadMeta,
            ("$org", orgId)), cancellationToken));

    public Task<IReadOnlyList<string>> GetSigningSecretsAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var key = SigningSecretKey();
        return Task.FromResult<IReadOnlyList<string>>(Read(connection => connection.Query(
            """
            SELECT id, org_id, secret FROM signing_secrets
            WHERE org_id = $org AND (status = 'active' OR (status = 'rolled' AND revoked_at > $now))
            ORDER BY status = 'active' DESC, created_at DESC, rowid DESC
            """,
            reader => SigningSecretBox.Open(key, reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2)),
            ("$org", orgId), ("$now", now)), cancellationToken));
    }

    private static void RevokeSigning(SqliteConnection connection, string orgId, DateTimeOffset now) =>
        connection.Execute(
            """
            UPDATE signing_secrets SET status = 'revoked', revoked_at = $now
            WHERE org_id = $org AND (status = 'active' OR (status = 'rolled' AND revoked_at > $now))
            """,
            ("$org", orgId), ("$now", now));

    private static NewSigningSecret InsertSecret(SqliteConnection connection, byte[] key, string orgId, DateTimeOffset now)
    {
        var plaintext = SigningSecretText.New();
        var meta = new SigningSecretMeta(Guid.CreateVersion7(now).ToString("D"), orgId, SigningSecretText.Preview(plaintext), SigningSecretStatus.Active, now, null);
        connection.Execute(
            """
            INSERT INTO signing_secrets (id, org_id, preview, secret, status, created_at, revoked_at)
            VALUES ($id, $org, $preview, $secret, 'active', $created, NULL)
            """,
            ("$id", meta.Id), ("$org", orgId), ("$preview", meta.Preview), ("$secret", SigningSecretBox.Seal(key, meta.Id, orgId, plaintext)), ("$created", now));
        return new NewSigningSecret(plaintext, meta);
    }

    private static SigningSecretMeta ReadMeta(SqliteDataReader reader) => new(
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
