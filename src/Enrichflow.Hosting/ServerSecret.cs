using System.Security.Cryptography;
using System.Text;

namespace Enrichflow.Hosting;

/// <summary>
/// The server secret in the data directory (or <c>Downloads:Secret</c>): it signs download links and, through a
/// derived key, encrypts webhook signing secrets at rest. Every process of one installation reads the same one.
/// </summary>
public sealed class ServerSecret(byte[] bytes)
{
    private static readonly byte[] KeyInfo = "enrichflow signing-secret encryption v1"u8.ToArray();

    public byte[] Bytes { get; } = bytes;

    /// <summary>The configured secret, else the one in the data directory's <c>server-secret</c> file, created (mode 0600) when absent.</summary>
    public static ServerSecret LoadOrCreate(string dataDirectory, string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return new ServerSecret(Encoding.UTF8.GetBytes(configured));
        }

        var path = Path.Combine(dataDirectory, "server-secret");
        if (File.Exists(path))
        {
            return new ServerSecret(Convert.FromHexString(File.ReadAllText(path).Trim()));
        }

        var secret = RandomNumberGenerator.GetBytes(32);
        PrivateFile.Write(path, Convert.ToHexString(secret));
        return new ServerSecret(secret);
    }

    /// <summary>
    /// The AES-256-GCM key that encrypts signing secrets at rest, derived from the server secret with HKDF-SHA256 so
    /// it is independent of the download-link key made from the same secret.
    /// </summary>
    public byte[] DeriveEncryptionKey() =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, Bytes, outputLength: 32, salt: [], info: KeyInfo);
}
