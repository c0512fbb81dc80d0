using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Enrichflow.Core.Diagnostics;

/// <summary>
/// Enrichflow's own instruments, in one <see cref="Meter"/> named <see cref="MeterName"/> (docs/api.md §11 lists them
/// as Prometheus names). System.Diagnostics only: the OpenTelemetry SDK that exports them is registered by the host.
/// Counters are added to once per committed chunk or per provider call, never per row.
/// </summary>
public sealed class EnrichflowMetrics : IDisposable
{
    public const string MeterName = "Enrichflow";

    private readonly Counter<long> _rowsProcessed;
    private readonly Counter<long> _rowsRejected;
    private readonly Counter<long> _rowsFailed;
    private readonly Counter<long> _providerCalls;
    private readonly Counter<double> _providerCredits;
    private readonly Counter<long> _providerCacheHits;
    private readonly Counter<long> _providerRequests;
    private readonly Counter<long> _providerThrottled;
    private readonly Histogram<double> _providerRequestDuration;

    /// <param name="meterFactory">The host's factory (one meter per service provider); without one, a meter of its own.</param>
    public EnrichflowMetrics(IMeterFactory? meterFactory = null)
    {
        Meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _rowsProcessed = Meter.CreateCounter<long>("enrichflow.rows.processed", "{row}", "Rows a block read, by block type (counted when its chunk is committed).");
        _rowsRejected = Meter.CreateCounter<long>("enrichflow.rows.rejected", "{row}", "Rows a block sent to rejects, by block type.");
        _rowsFailed = Meter.CreateCounter<long>("enrichflow.rows.failed", "{row}", "Rows a block failed (a provider error, a refused URL), by block type.");
        _providerCalls = Meter.CreateCounter<long>("enrichflow.provider.calls", "{call}", "Paid provider calls (as /usage counts them), by provider.");
        _providerCredits = Meter.CreateCounter<double>("enrichflow.provider.credits", "{credit}", "Credits the paid calls cost, by provider.");
        _providerCacheHits = Meter.CreateCounter<long>("enrichflow.provider.cache_hits", "{call}", "Provider answers read from the cache instead of paid for, by provider.");
        _providerRequests = Meter.CreateCounter<long>("enrichflow.provider.requests", "{request}", "Outbound HTTP attempts (retries included), by client (a provider's name, or outbound) and status code.");
        _providerThrottled = Meter.CreateCounter<long>("enrichflow.provider.throttled", "{request}", "Outbound HTTP attempts answered 429 Too Many Requests, by client.");
        _providerRequestDuration = Meter.CreateHistogram<double>("enrichflow.provider.request.duration", "s", "Duration of one outbound HTTP attempt, by client.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
    }

    /// <summary>The meter, for the host's observable gauges (runs by status, queue depth, sizes).</summary>
    public Meter Meter { get; }

    /// <summary>One committed chunk of one block: the rows it read, rejected and failed.</summary>
    public void ChunkCommitted(string blockType, long rowsIn, long rejected, long failed)
    {
        var tag = new KeyValuePair<string, object?>("block_type", blockType);
        _rowsProcessed.Add(rowsIn, tag);
        if (rejected > 0)
        {
            _rowsRejected.Add(rejected, tag);
        }

        if (failed > 0)
        {
            _rowsFailed.Add(failed, tag);
        }
    }

    /// <summary>A paid provider call and what it cost.</summary>
    public void ProviderCalled(string provider, long calls, double credits)
    {
        var tag = new KeyValuePair<string, object?>("provider", provider);
        _providerCalls.Add(calls, tag);
        _providerCredits.Add(credits, tag);
    }

    public void ProviderCacheHit(string provider) => _providerCacheHits.Add(1, new KeyValuePair<string, object?>("provider", provider));

    /// <summary>One outbound HTTP attempt; <paramref name="status"/> is null when it failed without an answer.</summary>
    public void OutboundAttempt(string client, int? status, TimeSpan elapsed)
    {
        var clientTag = new KeyValuePair<string, object?>("client", client);
        _providerRequests.Add(1, clientTag, new KeyValuePair<string, object?>("status", status is int s ? s.ToString(System.Globalization.CultureInfo.InvariantCulture) : "error"));
        _providerRequestDuration.Record(elapsed.TotalSeconds, clientTag);
        if (status == 429)
        {
            _providerThrottled.Add(1, clientTag);
        }
    }

    public void Dispose() => Meter.Dispose();
}

/// <summary>
/// Enrichflow's spans: <c>enrichflow.run</c> (a run's life in the process that starts it), <c>enrichflow.unit</c> (one
/// unit's execution) and, below it, the HttpClient's own spans of provider calls. Every span of a run has the run id
/// as its trace id, so a trace found by run id holds all of them, on any node.
/// </summary>
public static class EnrichflowActivities
{
    public const string SourceName = "Enrichflow";

    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>The trace every span of <paramref name="runId"/> belongs to: the run id's bytes as the trace id, under a fixed root span id.</summary>
    public static ActivityContext RunRoot(Guid runId)
    {
        Span<byte> bytes = stackalloc byte[16];
        runId.TryWriteBytes(bytes, bigEndian: true, out _);
        var traceId = ActivityTraceId.CreateFromBytes(bytes);
        // The root span id: the run id's last eight bytes (never all zero for a version-7 UUID's random part).
        var spanId = ActivitySpanId.CreateFromBytes(bytes[8..]);
        return new ActivityContext(traceId, spanId, ActivityTraceFlags.Recorded, isRemote: true);
    }
}
