using Enrichflow.Core.Diagnostics;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Hosting.Duties;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Retention;

/// <summary>
/// Runs a <see cref="RetentionSweep"/> pass a minute after start, then every <see cref="RetentionOptions.Interval"/>, on
/// the <see cref="RetentionClock"/>; in a cluster only on the node holding the <see cref="DutyNames.Retention"/> duty.
/// </summary>
internal sealed partial class RetentionService(RetentionSweep sweep, RetentionClock clock, DutyLeases duties, IOptions<RetentionOptions> options, ILogger<RetentionService> logger) : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstDelay < options.Value.Interval ? FirstDelay : options.Value.Interval;
        var duty = duties.For(DutyNames.Retention);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(delay, clock.Time, stoppingToken);
                delay = options.Value.Interval;
                await duty.WaitUntilHeldAsync(stoppingToken);
                await sweep.RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (ObjectDisposedException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.RetentionPassFailed, Level = LogLevel.Warning, Message = "A retention pass failed; trying again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

internal static class RetentionServiceCollectionExtensions
{
    /// <summary>The <c>Retention</c> options (validated at start), the retention clock on the system clock, the sweep and its service, and the unit-file clean-up at a run's end.</summary>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<RetentionOptions>(o => o.Validate())
            .Bind(configuration.GetSection("Retention"));
        services.AddSingleton(new RetentionClock(TimeProvider.System));
        services.AddSingleton<StorageUsage>();
        services.AddSingleton<RetentionSweep>();
        services.AddSingleton<IRunEndListener, UnitBlobCleanup>();
        services.AddHostedService<RetentionService>();
        return services;
    }
}
