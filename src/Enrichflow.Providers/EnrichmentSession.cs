using System.Collections.Concurrent;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// One block's calls over one chunk: counts each provider's calls, hits, misses, failures and cache hits, and
/// remembers a provider that refused the block (401/403) so its other rows fail without calling. Paid calls are
/// recorded as they happen; the rest is written by <see cref="FlushAsync"/> before the chunk is committed.
/// </summary>
public sealed class EnrichmentSession(
    BlockRunContext context,
    IReadOnlyList<string> stopFields,
    IUsageStore usage,
    ConcurrentDictionary<string, string> refusals,
    ConcurrentDictionary<Guid, string> pausing)
{
    private readonly ConcurrentDictionary<string, Counts> _unrecorded = new(StringComparer.Ordinal);

    public BlockRunContext Context { get; } = context;

    /// <summary>
    /// Why the run must pause (set by the first row of any of its units that found out): calls not yet started then
    /// stop, in every unit of the run in this process; calls under way finish, so what they cost is recorded and cached.
    /// </summary>
    public string? PauseReason => pausing.GetValueOrDefault(Context.RunId);

    /// <summary>
    /// Tells every unit of the run to start no new call. A budget pause is not passed on: each call reserves its
    /// credits against the budget itself, so calls that reserved within it still go.
    /// </summary>
    public void RequestPause(RunPauseException pause)
    {
        ArgumentNullException.ThrowIfNull(pause);
        if (!pause.ByBudget)
        {
            pausing.TryAdd(Context.RunId, pause.Message);
        }
    }

    /// <summary>The refusal (401/403) this provider gave this run's block, if any: later calls fail the same way without asking.</summary>
    public string? RefusalOf(IEnrichmentProvider provider) => refusals.GetValueOrDefault(RefusalKey(provider));

    public void Refuse(IEnrichmentProvider provider, string message) => refusals.TryAdd(RefusalKey(provider), message);

    private string RefusalKey(IEnrichmentProvider provider) => $"{Context.RunId:N}/{Context.BlockId}/{provider.Name}";

    /// <summary>A hit filled every field that ends the waterfall; a miss found less; a failure found nothing to trust.</summary>
    public (long Hits, long Misses, long Failures) Classify(EnrichmentRequest request, EnrichmentAnswer answer) => answer.Outcome switch
    {
        EnrichmentOutcome.Failed => (0, 0, 1),
        EnrichmentOutcome.Found when request.Fields.Where(f => stopFields.Contains(f.Name)).All(f => EnrichmentAnswer.HasValue(answer.Fields.GetValueOrDefault(f.Name))) => (1, 0, 0),
        _ => (0, 1, 0),
    };

    /// <summary>
    /// Counts an outcome not yet in the usage store, written by <see cref="FlushAsync"/>: <paramref name="called"/> when
    /// the provider was asked (a local table), <paramref name="fromCache"/> when the answer came from the cache.
    /// </summary>
    public void Count(IEnrichmentProvider provider, EnrichmentRequest request, EnrichmentAnswer answer, bool called, bool fromCache)
    {
        var (hits, misses, failures) = Classify(request, answer);
        var counts = _unrecorded.GetOrAdd(provider.Name, _ => new Counts());
        lock (counts)
        {
            counts.Calls += called ? 1 : 0;
            counts.Hits += hits;
            counts.Misses += misses;
            counts.Failures += failures;
            counts.CacheHits += fromCache ? 1 : 0;
        }
    }

    /// <summary>Writes the counts not yet recorded (cache hits, local lookups, refusals).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var day = DateOnly.FromDateTime(Context.Time.GetUtcNow().UtcDateTime);
        var increments = new List<UsageIncrement>();
        foreach (var (provider, counts) in _unrecorded)
        {
            lock (counts)
            {
                increments.Add(new UsageIncrement(Context.OrgId, Context.RunId, Context.BlockId, provider, day,
                    counts.Calls, counts.Hits, counts.Misses, counts.Failures, counts.CacheHits));
            }
        }

        _unrecorded.Clear();
        if (increments.Count > 0)
        {
            await usage.AddUsageAsync(increments, cancellationToken);
        }
    }

    private sealed class Counts
    {
        public long Calls { get; set; }

        public long Hits { get; set; }

        public long Misses { get; set; }

        public long Failures { get; set; }

        public long CacheHits { get; set; }
    }
}
