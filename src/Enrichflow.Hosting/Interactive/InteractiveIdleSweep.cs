using Enrichflow.Core.Diagnostics;
using Enrichflow.Engine;
using Enrichflow.Engine.Interactive;
using Enrichflow.Hosting.Duties;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Interactive;

/// <summary>
/// Finishes interactive sessions that had no call for <see cref="InteractiveOptions.IdleMinutes"/> (docs/api.md §12),
/// looking every minute (more often when the idle time is shorter). The idle clock lives in this process: after a
/// restart, a session's clock starts again when the sweep first sees it. In a cluster only the node holding the
/// <see cref="DutyNames.InteractiveIdleSweep"/> duty sweeps (and it sees only the calls made to it).
/// </summary>
internal sealed partial class InteractiveIdleSweep(InteractiveRuns sessions, DutyLeases duties, IOptions<InteractiveOptions> options, TimeProvider time, ILogger<InteractiveIdleSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var idle = options.Value.Idle;
        var interval = TimeSpan.FromTicks(Math.Clamp(idle.Ticks / 4, TimeSpan.FromMilliseconds(250).Ticks, TimeSpan.FromMinutes(1).Ticks));
        var duty = duties.For(DutyNames.InteractiveIdleSweep);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await duty.WaitUntilHeldAsync(stoppingToken);
                if (await sessions.FinishIdleAsync(idle, stoppingToken) is > 0 and var finished)
                {
                    LogFinished(logger, finished, options.Value.IdleMinutes);
                }

                await Task.Delay(interval, time, stoppingToken);
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
                await Task.Delay(interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    [LoggerMessage(EventId = LogEvents.InteractiveIdleFinished, Level = LogLevel.Information, Message = "Finished {Count} interactive sessions idle for {Minutes} minutes")]
    private static partial void LogFinished(ILogger logger, int count, double minutes);

    [LoggerMessage(EventId = LogEvents.InteractiveSweepFailed, Level = LogLevel.Warning, Message = "The interactive idle sweep failed; trying again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

internal static class InteractiveServiceCollectionExtensions
{
    /// <summary>The <c>Interactive</c> options, validated at start, and the idle sweep.</summary>
    public static IServiceCollection AddInteractiveSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<InteractiveOptions>(o => o.Validate())
            .Bind(configuration.GetSection("Interactive"));
        services.AddHostedService<InteractiveIdleSweep>();
        return services;
    }
}
