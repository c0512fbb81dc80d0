namespace Enrichflow.Providers.Limits;

/// <summary>
/// The organization on whose behalf the provider calls of the current async flow are made. <see cref="EnrichmentCaller"/>
/// sets it around each paid call; <see cref="ProviderRateHandler"/>, deep in the provider's HttpClient pipeline where
/// no run context reaches, reads it so that each attempt waits for its request token in that organization's turn.
/// </summary>
public static class ProviderCallOrg
{
    private static readonly AsyncLocal<string?> Org = new();

    /// <summary>The calling organization, or null outside a call made for one (an estimate's sample calls).</summary>
    public static string? Current => Org.Value;

    /// <summary>Makes <paramref name="orgId"/> the calling organization until the returned scope is disposed.</summary>
    public static IDisposable Enter(string orgId)
    {
        var scope = new Scope(Org.Value);
        Org.Value = orgId;
        return scope;
    }

    private sealed class Scope(string? previous) : IDisposable
    {
        public void Dispose() => Org.Value = previous;
    }
}
