using System.Security.Cryptography;
using System.Text;

namespace Enrichflow.Core.Storage;

/// <summary>
/// How every store keeps a signing secret at rest: AES-256-GCM under the key derived from the server secret, as
/// nonce (12 bytes) ‖ ciphertext ‖ tag (16 bytes), with the organization and the secret's id as associated data, so a
/// sealed value moved to another row or organization does not open.
/// </summary>
public static class SigningSecretBox
{
    private const int NonceLength = 12;
    private const int TagLength = 16;

    public static byte[] Seal(byte[] key, string id, string orgId, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBox = new byte[NonceLength + clear.Length + TagLength];
        var nonce = sealedBox.AsSpan(0, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, clear, sealedBox.AsSpan(NonceLength, clear.Length), sealedBox.AsSpan(NonceLength + clear.Length), AssociatedData(id, orgId));
        CryptographicOperations.ZeroMemory(clear);
        return sealedBox;
    }

    /// <exception cref="InvalidOperationException">The value is not a sealed secret, or was sealed under another server secret.</exception>
    public static string Open(byte[] key, string id, string orgId, byte[] sealedBox)
    {
        ArgumentNullException.ThrowIfNull(sealedBox);
        var length = sealedBox.Length - NonceLength - TagLength;
        if (length <= 0)
        {
            throw new InvalidOperationException($"Signing secret {id} of organization {orgId} is not a valid encrypted value.");
        }

        var clear = new byte[length];
        try
        {
            using var aes = new AesGcm(key, TagLength);
            aes.Decrypt(sealedBox.AsSpan(0, NonceLength), sealedBox.AsSpan(NonceLength, length), sealedBox.AsSpan(NonceLength + length), clear, AssociatedData(id, orgId));
            return Encoding.UTF8.GetString(clear);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidOperationException(
                $"Signing secret {id} of organization {orgId} cannot be decrypted: the server secret it was encrypted with has changed. Create a new signing secret.", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
        }
    }

    private static byte[] AssociatedData(string id, string orgId) => Encoding.UTF8.GetBytes(orgId + "\n" + id);
}
