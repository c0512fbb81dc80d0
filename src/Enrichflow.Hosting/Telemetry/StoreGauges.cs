using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Dispatch;
using Enrichflow.Hosting.Retention;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Telemetry;

/// <summary>
/// The observable gauges on <see cref="EnrichflowMetrics.Meter"/> that read state instead of counting events: runs by
/// status and units waiting (one grouped count of the store), units in flight in this process, the store's size, and
/// the blob store's bytes and files as the last retention pass measured them. A reading of the store is reused for
/// <c>Metrics:RefreshInterval</c> (5 s), so a scrape every second costs one query in five.
/// </summary>
public sealed class StoreGauges : IHostedService
{
    private static readonly TimeSpan ReadWait = TimeSpan.FromSeconds(2);

    private readonly Cached<StoreActivity> _activity;
    private readonly Cached<StoreSize> _size;

    public StoreGauges(EnrichflowMetrics metrics, IRunStore runs, IRetentionStore retention, StorageUsage usage, UnitRunner runner, IOptions<MetricsOptions> options, TimeProvider time)
    {
        var interval = options.Value.RefreshInterval;
        _activity = new(runs.CountActivityAsync, interval, time);
        _size = new(retention.MeasureAsync, interval, time);
        var meter = metrics.Meter;
        meter.CreateObservableGauge("enrichflow.runs", ObserveRuns, "{run}", "Runs in the store, by status.");
        meter.CreateObservableGauge("enrichflow.units.queued", () => _activity.Get(ReadWait)?.UnitsPending ?? 0, "{unit}", "Units waiting to be claimed (the queue depth), store-wide.");
        meter.CreateObservableGauge("enrichflow.units.leased", () => _activity.Get(ReadWait)?.UnitsRunning ?? 0, "{unit}", "Units claimed and running, store-wide (every node).");
        meter.CreateObservableGauge("enrichflow.units.in_flight", () => runner.InFlightCount, "{unit}", "Units running in this process.");
        meter.CreateObservableGauge("enrichflow.store.size", () => _size.Get(ReadWait)?.TotalBytes ?? 0, "By", "The store's size (database and journal).");
        meter.CreateObservableGauge("enrichflow.blob_store.size", () => usage.Latest?.BlobBytes ?? 0, "By", "The blob store's bytes, as the last retention pass measured them (0 before the first).");
        meter.CreateObservableGauge("enrichflow.blob_store.files", () => usage.Latest?.BlobCount ?? 0, "{file}", "The blob store's files, as the last retention pass measured them.");
    }

    private IEnumerable<System.Diagnostics.Metrics.Measurement<long>> ObserveRuns()
    {
        var activity = _activity.Get(ReadWait);
        foreach (var status in Enum.GetValues<RunStatus>())
        {
            yield return new(activity?.RunsByStatus.GetValueOrDefault(status) ?? 0, new KeyValuePair<string, object?>("status", status.ToWire()));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// One value read at most once per interval: a reader after it went stale starts one refresh and waits for it a
    /// little; a refresh that fails or is slow leaves the last value (null before the first).
    /// </summary>
    private sealed class Cached<T>(Func<CancellationToken, Task<T>> read, TimeSpan interval, TimeProvider time)
        where T : class
    {
        private readonly Lock _gate = new();
        private T? _value;
        private DateTimeOffset _readAt = DateTimeOffset.MinValue;
        private Task? _refresh;

        public T? Get(TimeSpan wait)
        {
            Task? refresh;
            lock (_gate)
            {
                if (_value is not null && time.GetUtcNow() - _readAt < interval)
                {
                    return _value;
                }

                refresh = _refresh ??= Task.Run(RefreshAsync);
            }

            try
            {
                refresh.Wait(wait);
            }
            catch (AggregateException)
            {
                // The store could not be read; the last value stands.
            }

            lock (_gate)
            {
                return _value;
            }
        }

        private async Task RefreshAsync()
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                var value = await read(timeout.Token).ConfigureAwait(false);
                lock (_gate)
                {
                    (_value, _readAt) = (value, time.GetUtcNow());
                }
            }
            finally
            {
                lock (_gate)
                {
                    _refresh = null;
                }
            }
        }
    }
}
