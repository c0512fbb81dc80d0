using Enrichflow.Providers;
using Enrichflow.Core.Storage;
using Enrichflow.Hosting.Duties;
using Microsoft.Extensions.Options;

using Enrichflow.Core.Diagnostics;

namespace Enrichflow.Hosting.Cleanup;

/// <summary>
/// Deletes provider cache entries older than <see cref="EnrichmentOptions.CacheRetentionDays"/> and provider job records
/// older than <see cref="EnrichmentOptions.JobRetentionDays"/>, at start and then twice a day; in a cluster only on the
/// node holding the <see cref="DutyNames.ProviderCacheCleanup"/> duty (a node that takes it over cleans up at once).
/// </summary>
internal sealed partial class ProviderCacheCleanup(IProviderCache cache, IProviderJobStore jobs, DutyLeases duties, IOptions<EnrichmentOptions> options, TimeProvider time, ILogger<ProviderCacheCleanup> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromHours(12);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var duty = duties.For(DutyNames.ProviderCacheCleanup);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await duty.WaitUntilHeldAsync(stoppingToken);
                var deleted = await cache.DeleteOlderThanAsync(time.GetUtcNow().AddDays(-options.Value.CacheRetentionDays), stoppingToken);
                if (deleted > 0)
                {
                    LogDeleted(logger, deleted, options.Value.CacheRetentionDays);
                }

                var forgotten = await jobs.DeleteJobsOlderThanAsync(time.GetUtcNow().AddDays(-options.Value.JobRetentionDays), stoppingToken);
                if (forgotten > 0)
                {
                    LogJobsDeleted(logger, forgotten, options.Value.JobRetentionDays);
                }

                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
                await Task.Delay(TimeSpan.FromMinutes(5), time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.ProviderCacheDeleted, Level = LogLevel.Information, Message = "Deleted {Count} provider cache entries older than {Days} days")]
    private static partial void LogDeleted(ILogger logger, int count, int days);

    [LoggerMessage(EventId = LogEvents.ProviderJobsDeleted, Level = LogLevel.Information, Message = "Deleted {Count} provider job records older than {Days} days")]
    private static partial void LogJobsDeleted(ILogger logger, int count, int days);

    [LoggerMessage(EventId = LogEvents.ProviderCacheCleanupFailed, Level = LogLevel.Warning, Message = "Provider cache clean-up failed; trying again in 5 minutes")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
