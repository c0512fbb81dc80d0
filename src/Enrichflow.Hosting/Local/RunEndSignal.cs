using System.Collections.Concurrent;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine.Execution;

namespace Enrichflow.Hosting.Local;

/// <summary>
/// Lets an in-process caller wait for a run's end: the coordinator tells every <see cref="IRunEndListener"/> once the
/// run is completed, failed or cancelled and its result files (partial ones too) are recorded.
/// </summary>
public sealed class RunEndSignal : IRunEndListener
{
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RunRecord>> _ends = new();

    /// <summary>The run's final record once it has ended (files recorded).</summary>
    public Task<RunRecord> EndOf(Guid runId) => Source(runId).Task;

    public Task OnRunEndedAsync(RunRecord run, WorkflowPlan plan, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(run);
        Source(run.Id).TrySetResult(run);
        return Task.CompletedTask;
    }

    private TaskCompletionSource<RunRecord> Source(Guid runId) =>
        _ends.GetOrAdd(runId, _ => new TaskCompletionSource<RunRecord>(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <summary>Adds the signal as a run-end listener, for a process that waits on its own runs.</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        services.AddSingleton<RunEndSignal>();
        services.AddSingleton<IRunEndListener>(sp => sp.GetRequiredService<RunEndSignal>());
        return services;
    }
}
