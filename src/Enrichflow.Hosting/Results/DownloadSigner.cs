using System.Security.Cryptography;
using System.Text;

namespace Enrichflow.Hosting.Results;

/// <summary>
/// Signed download links (docs/api.md §3.1): HMAC-SHA256 over org, run, file and expiry with a server secret.
/// Any change to the token makes it invalid.
/// </summary>
public sealed class DownloadSigner(byte[] secret, TimeProvider time)
{
    public string Sign(string orgId, Guid runId, string fileName, DateTimeOffset expires)
    {
        var payload = Encoding.UTF8.GetBytes($"{orgId}\n{runId:N}\n{fileName}\n{expires.ToUnixTimeSeconds()}");
        var mac = HMACSHA256.HashData(secret, payload);
        return ApiKeys.Base64Url(payload) + "." + ApiKeys.Base64Url(mac);
    }

    /// <summary>The link's target when the token is authentic and not expired; otherwise null.</summary>
    public DownloadTarget? Verify(string token)
    {
        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !TryDecode(token[..dot], out var payload) || !TryDecode(token[(dot + 1)..], out var mac))
        {
            return null;
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(secret, payload), mac))
        {
            return null;
        }

        var parts = Encoding.UTF8.GetString(payload).Split('\n');
        if (parts.Length != 4 || !Guid.TryParseExact(parts[1], "N", out var runId) || !long.TryParse(parts[3], out var expiresUnix))
        {
            return null;
        }

        var expires = DateTimeOffset.FromUnixTimeSeconds(expiresUnix);
        return expires < time.GetUtcNow() ? null : new DownloadTarget(parts[0], runId, parts[2], expires);
    }

    private static bool TryDecode(string text, out byte[] bytes)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => "" };
        bytes = new byte[padded.Length];
        return Convert.TryFromBase64String(padded, bytes, out var written) && (bytes = bytes[..written]).Length > 0;
    }
}

/// <summary>What a verified download link points at.</summary>
public sealed record DownloadTarget(string OrgId, Guid RunId, string FileName, DateTimeOffset Expires);
