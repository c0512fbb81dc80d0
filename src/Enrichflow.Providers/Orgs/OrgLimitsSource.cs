using System.Collections.Concurrent;
using Enrichflow.Core.Storage;
using Microsoft.Extensions.Options;

namespace Enrichflow.Providers.Orgs;

/// <summary>
/// An organization's limits in force: those stored for it (<c>enrichflow orgs limits set</c>) over the server's
/// defaults (<see cref="OrgLimitsOptions"/>). Paid calls read them often, so <see cref="GetRecentAsync"/> keeps them for
/// a moment; whoever is about to refuse something reads them fresh (<see cref="GetAsync"/>), so a limit that was
/// raised counts at once and one that was lowered within <see cref="CacheFor"/>.
/// </summary>
public sealed class OrgLimitsSource(IOrgLimitStore store, IOptions<OrgLimitsOptions> options, TimeProvider time)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, (OrgLimits Limits, DateTimeOffset ReadAt)> _recent = new(StringComparer.Ordinal);

    /// <summary>The limits as stored now.</summary>
    public async Task<OrgLimits> GetAsync(string orgId, CancellationToken cancellationToken)
    {
        var defaults = options.Value.For(orgId);
        var limits = (await store.GetOrgLimitsAsync(orgId, cancellationToken))?.Over(defaults) ?? defaults;
        _recent[orgId] = (limits, time.GetUtcNow());
        return limits;
    }

    /// <summary>The limits as read at most <see cref="CacheFor"/> ago.</summary>
    public ValueTask<OrgLimits> GetRecentAsync(string orgId, CancellationToken cancellationToken) =>
        _recent.TryGetValue(orgId, out var recent) && time.GetUtcNow() - recent.ReadAt < CacheFor
            ? ValueTask.FromResult(recent.Limits)
            : new ValueTask<OrgLimits>(GetAsync(orgId, cancellationToken));
}
