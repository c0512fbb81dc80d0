namespace Enrichflow.Hosting;

/// <summary>
/// The address this process's HTTP API listens on, when it has one: links in webhook bodies point there unless
/// <c>Webhooks:PublicBaseUrl</c> says otherwise. A process without the HTTP API (a worker) registers none.
/// </summary>
public interface IListeningAddress
{
    /// <summary>The first address the API listens on, as configured (may hold a wildcard host), or null before it listens.</summary>
    string? First { get; }
}
