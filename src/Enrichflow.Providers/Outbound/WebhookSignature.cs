using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Enrichflow.Providers.Outbound;

/// <summary>
/// The <c>Sixtyfour-Signature</c> header of outgoing webhooks (docs/api.md §6):
/// <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "&lt;t&gt;.&lt;raw body&gt;")&gt;</c>, with one <c>v1=</c>
/// per secret that signs (two while a rolled secret is in its overlap).
/// </summary>
/// <remarks>
/// <para>
/// Receivers may copy this class as it is: it needs nothing beyond the .NET base class library. To verify a
/// delivery, read the raw request body as bytes (before any JSON parsing, which would change it) and call
/// <see cref="Verify(string, ReadOnlySpan{byte}, string, DateTimeOffset)"/> with the header, those bytes, your
/// <c>sk_whsec_...</c> secret and the current time. It accepts the delivery when the timestamp is within 300 seconds
/// of now (replay protection) and any <c>v1=</c> value matches; the comparison takes constant time.
/// </para>
/// <para>The HMAC key is the UTF-8 bytes of the whole secret text, prefix included.</para>
/// </remarks>
public static class WebhookSignature
{
    public const string HeaderName = "Sixtyfour-Signature";

    /// <summary>How far the signed time may be from the receiver's clock, either way: 300 seconds.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromSeconds(300);

    private const int MacLength = 32;

    /// <summary>The header value signing <paramref name="body"/> at <paramref name="unixSeconds"/> with each secret.</summary>
    /// <exception cref="ArgumentException">No secrets were given (a delivery without secrets is sent unsigned).</exception>
    public static string Sign(IEnumerable<string> secrets, long unixSeconds, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var header = new StringBuilder("t=").Append(unixSeconds.ToString(CultureInfo.InvariantCulture));
        var count = 0;
        Span<byte> mac = stackalloc byte[MacLength];
        foreach (var secret in secrets)
        {
            ArgumentException.ThrowIfNullOrEmpty(secret, nameof(secrets));
            Compute(secret, unixSeconds, body, mac);
            header.Append(",v1=").Append(Convert.ToHexStringLower(mac));
            count++;
        }

        return count == 0
            ? throw new ArgumentException("At least one secret is needed to sign; send the delivery without the header instead.", nameof(secrets))
            : header.ToString();
    }

    /// <summary>
    /// True when <paramref name="header"/> carries a timestamp within 300 seconds of <paramref name="now"/> and a
    /// <c>v1=</c> signature of <paramref name="body"/> made with <paramref name="secret"/>.
    /// </summary>
    public static bool Verify(string header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now) =>
        Verify(header, body, secret, now, DefaultTolerance);

    /// <summary>
    /// True when <paramref name="header"/> carries a timestamp within <paramref name="tolerance"/> of
    /// <paramref name="now"/> and a <c>v1=</c> signature of <paramref name="body"/> made with <paramref name="secret"/>.
    /// Unknown parts of the header (other schemes, future versions) are ignored.
    /// </summary>
    public static bool Verify(string header, ReadOnlySpan<byte> body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(header) || string.IsNullOrEmpty(secret))
        {
            return false;
        }

        long? timestamp = null;
        var candidates = new List<byte[]>();
        foreach (var part in header.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (part.StartsWith("t=", StringComparison.Ordinal)
                && long.TryParse(part.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (part.StartsWith("v1=", StringComparison.Ordinal) && part.Length == 3 + (2 * MacLength))
            {
                try
                {
                    candidates.Add(Convert.FromHexString(part.AsSpan(3)));
                }
                catch (FormatException)
                {
                    // Not hex: not a signature we made.
                }
            }
        }

        if (timestamp is not { } signedAt || candidates.Count == 0)
        {
            return false;
        }

        var age = now.ToUnixTimeSeconds() - signedAt;
        if (Math.Abs(age) > (long)tolerance.TotalSeconds)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[MacLength];
        Compute(secret, signedAt, body, expected);
        var match = false;
        foreach (var candidate in candidates)
        {
            match |= CryptographicOperations.FixedTimeEquals(candidate, expected);
        }

        return match;
    }

    /// <summary>HMAC-SHA256 with the secret's UTF-8 bytes as key over <c>"&lt;t&gt;." + body</c>.</summary>
    private static void Compute(string secret, long unixSeconds, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));
        hmac.AppendData(Encoding.ASCII.GetBytes(unixSeconds.ToString(CultureInfo.InvariantCulture) + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }
}
