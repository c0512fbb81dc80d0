using Enrichflow.Client.Models;

namespace Enrichflow.Client;

/// <summary>Providers (§8), usage (§11) and webhook signing secrets (§6).</summary>
public sealed partial class EnrichflowClient
{
    /// <summary><c>GET /providers</c> (ours): the configured providers with their limits and live activity.</summary>
    public Task<List<Provider>> ListProvidersAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, "providers"), EnrichflowJsonContext.Default.ListProvider, cancellationToken);

    /// <summary><c>GET /usage?from=&amp;to=</c> (ours): credits by provider and day (inclusive UTC dates; the last 30 days by default).</summary>
    public Task<Usage> GetUsageAsync(DateOnly? from = null, DateOnly? to = null, CancellationToken cancellationToken = default)
    {
        var parts = new List<string>();
        if (from is { } f)
        {
            parts.Add("from=" + f.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            parts.Add("to=" + t.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        }

        return SendAsync(Request(HttpMethod.Get, parts.Count == 0 ? "usage" : "usage?" + string.Join('&', parts)), EnrichflowJsonContext.Default.Usage, cancellationToken);
    }

    /// <summary><c>GET /webhooks/signing-secret</c>: the current secret's metadata, or null when there is none.</summary>
    public Task<SigningSecret?> GetSigningSecretAsync(CancellationToken cancellationToken = default) =>
        SendOrNullAsync(Request(HttpMethod.Get, "webhooks/signing-secret"), EnrichflowJsonContext.Default.SigningSecret, cancellationToken);

    /// <summary><c>POST /webhooks/signing-secret</c>: a new secret, its plaintext shown this once; an older one is revoked.</summary>
    public Task<NewSigningSecret> CreateSigningSecretAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "webhooks/signing-secret"), EnrichflowJsonContext.Default.NewSigningSecret, cancellationToken);

    /// <summary><c>POST /webhooks/signing-secret/roll</c>: a new secret; the previous one keeps signing for the overlap (24 h by default).</summary>
    public Task<NewSigningSecret> RollSigningSecretAsync(double expireOverlapHours = 24, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, "webhooks/signing-secret/roll", Json(new RollRequest(expireOverlapHours), EnrichflowJsonContext.Default.RollRequest)),
            EnrichflowJsonContext.Default.NewSigningSecret, cancellationToken);

    /// <summary><c>DELETE /webhooks/signing-secret</c> (204): deliveries are unsigned from then on.</summary>
    public Task DeleteSigningSecretAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, "webhooks/signing-secret"), cancellationToken);
}
