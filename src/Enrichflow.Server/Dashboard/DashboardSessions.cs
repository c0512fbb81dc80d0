using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Enrichflow.Hosting;

namespace Enrichflow.Server.Dashboard;

/// <summary>
/// The dashboard's session cookie: the id of the API key that logged in and when the session ends, signed with
/// HMAC-SHA256 under a key derived from the server secret (so every API process of an installation accepts it). The
/// cookie never holds the API key itself.
/// </summary>
public sealed class DashboardSessions(ServerSecret secret, TimeProvider time)
{
    public const string CookieName = "enrichflow_dashboard";

    private static readonly byte[] KeyInfo = "enrichflow dashboard session v1"u8.ToArray();

    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret.Bytes, outputLength: 32, salt: [], info: KeyInfo);

    /// <summary>A signed session of <paramref name="keyId"/> that ends after <paramref name="lifetime"/>.</summary>
    public string Issue(string keyId, TimeSpan lifetime)
    {
        var expires = (time.GetUtcNow() + lifetime).ToUnixTimeSeconds();
        var payload = $"{keyId}.{expires.ToString(CultureInfo.InvariantCulture)}";
        return Encode(Encoding.UTF8.GetBytes(payload)) + "." + Encode(Sign(payload));
    }

    /// <summary>The key id of a session that is well signed and not over; null otherwise.</summary>
    public string? Verify(string? token)
    {
        var dot = token?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (dot <= 0 || Decode(token![..dot]) is not { } payloadBytes || Decode(token[(dot + 1)..]) is not { } signature)
        {
            return null;
        }

        var payload = Encoding.UTF8.GetString(payloadBytes);
        if (!CryptographicOperations.FixedTimeEquals(signature, Sign(payload)))
        {
            return null;
        }

        var separator = payload.LastIndexOf('.');
        return separator > 0
            && long.TryParse(payload.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
            && time.GetUtcNow().ToUnixTimeSeconds() < expires
                ? payload[..separator]
                : null;
    }

    private byte[] Sign(string payload) => HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(payload));

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? Decode(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        try
        {
            return Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
