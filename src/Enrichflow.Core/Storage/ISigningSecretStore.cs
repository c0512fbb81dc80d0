using System.Security.Cryptography;

namespace Enrichflow.Core.Storage;

/// <summary>
/// Per-organization secrets that sign outgoing webhooks (docs/api.md §6). An organization has at most one active
/// secret; a rolled one keeps signing beside it until its <see cref="SigningSecretMeta.RevokedAt"/>. The plaintext is
/// returned once, when the secret is made; backends keep it encrypted at rest and never store it in the clear.
/// </summary>
public interface ISigningSecretStore
{
    /// <summary>Makes a new active secret; every secret of the organization that still signs is revoked now.</summary>
    Task<NewSigningSecret> CreateSigningSecretAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// Makes a new active secret and keeps the current one signing until <paramref name="now"/> + <paramref name="overlap"/>
    /// (an overlap of zero revokes it now). A secret still in the overlap of an earlier roll is revoked now, so at most
    /// two secrets sign. Null when the organization has no active secret to roll.
    /// </summary>
    Task<NewSigningSecret?> RollSigningSecretAsync(string orgId, TimeSpan overlap, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Revokes every secret of the organization now; deliveries are then unsigned.</summary>
    Task DeleteSigningSecretsAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>The active secret's metadata, or null when the organization has none.</summary>
    Task<SigningSecretMeta?> GetCurrentSigningSecretAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>
    /// The plaintexts that sign a delivery made at <paramref name="now"/>, newest first: the active secret and a rolled
    /// one whose overlap has not ended. Empty when deliveries go unsigned.
    /// </summary>
    Task<IReadOnlyList<string>> GetSigningSecretsAsync(string orgId, DateTimeOffset now, CancellationToken cancellationToken);
}

public enum SigningSecretStatus
{
    /// <summary>Signs every delivery.</summary>
    Active,

    /// <summary>Replaced by a roll; signs beside the active secret until its revoked_at.</summary>
    Rolled,

    /// <summary>Signs nothing any more.</summary>
    Revoked,
}

/// <summary>What the API shows about a secret: never the secret itself, only a preview of its last characters.</summary>
public sealed record SigningSecretMeta(string Id, string OrgId, string Preview, SigningSecretStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>A secret just made: the only time its plaintext is known outside the store.</summary>
public sealed record NewSigningSecret(string Plaintext, SigningSecretMeta Meta);

/// <summary>How signing secrets look: <c>sk_whsec_</c> and 64 lowercase hex digits (32 random bytes).</summary>
public static class SigningSecretText
{
    public const string Prefix = "sk_whsec_";

    public static string New() => Prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    /// <summary>The prefix and the last four characters, e.g. <c>sk_whsec_...3f9a</c>.</summary>
    public static string Preview(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        return plaintext.Length <= Prefix.Length + 4 ? Prefix + "..." : Prefix + "..." + plaintext[^4..];
    }
}
