using System.Security.Cryptography;
using System.Text;
using Enrichflow.Server.Auth;

namespace Enrichflow.Server.Http;

/// <summary>
/// Signed download links (API.md §3.1): HMAC-SHA256 over org, run, file and expiry with a server secret.
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

    /// <summary>Reads or creates the secret file in the data directory (mode 0600).</summary>
    public static byte[] LoadOrCreateSecret(string dataDirectory, string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return Encoding.UTF8.GetBytes(configured);
        }

        var path = Path.Combine(dataDirectory, "server-secret");
        if (File.Exists(path))
        {
            return Convert.FromHexString(File.ReadAllText(path).Trim());
        }

        var secret = RandomNumberGenerator.GetBytes(32);
        PrivateFile.Write(path, Convert.ToHexString(secret));
        return secret;
    }

}

/// <summary>What a verified download link points at.</summary>
public sealed record DownloadTarget(string OrgId, Guid RunId, string FileName, DateTimeOffset Expires);

/// <summary>Writes files only the owner can read (mode 0600), atomically.</summary>
public static class PrivateFile
{
    public static void Write(string path, string content)
    {
        var temp = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(content);
            writer.Flush();
            stream.Flush(true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
