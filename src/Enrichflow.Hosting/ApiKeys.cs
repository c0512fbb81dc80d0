using System.Security.Cryptography;
using Enrichflow.Core.Storage;

namespace Enrichflow.Hosting;

/// <summary>Makes API keys and their stored hashes (keys are never stored in clear, docs/architecture.md §6).</summary>
public static class ApiKeys
{
    private const string Prefix = "ef_";

    public static string NewKey() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key));

    /// <summary>Creates a key for <paramref name="orgId"/> (creating the organization when needed) and returns it in clear, once.</summary>
    public static async Task<string> CreateAsync(IAccountStore store, string orgId, bool readOnly, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await store.GetOrCreateOrganizationAsync(orgId, now, cancellationToken);
        var key = NewKey();
        await store.AddApiKeyAsync(new ApiKeyRecord(Guid.CreateVersion7().ToString("N"), orgId, Hash(key), readOnly, now), cancellationToken);
        return key;
    }

    internal static string Base64Url(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
