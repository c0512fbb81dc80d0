using Enrichflow.Core.Storage;
using Enrichflow.Engine.Status;
using Enrichflow.Storage.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Enrichflow.Engine.Tests.Status;

/// <summary>
/// Issue 12 item 5: a live status read writes nothing on its path, yet <c>overall_progress_percentage</c> never goes
/// down (docs/api.md §3): in the process that answered, and in another one once the stored floor is raised behind the answer.
/// </summary>
public sealed class ProgressFloorTests : IAsyncDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "enrichflow-floor", Guid.NewGuid().ToString("N"));
    private readonly SqliteStore _store;

    public ProgressFloorTests() => _store = new SqliteStore(Path.Combine(_directory, "enrichflow.db"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_answer_never_goes_below_a_higher_one_and_the_stored_floor_is_raised_to_it()
    {
        var run = await CreateRunAsync();
        await using var floor = new ProgressFloor(_store, TimeProvider.System, NullLogger<ProgressFloor>.Instance);

        Assert.Equal(40, floor.Apply(run, 40));
        // The counters give less (the source's estimate grew), and the record read still has the old floor.
        Assert.Equal(40, floor.Apply(run, 25));
        var stored = await WaitForStoredAsync(run.Id, 40);

        // Another process, reading the raised record, answers no less.
        await using var other = new ProgressFloor(_store, TimeProvider.System, NullLogger<ProgressFloor>.Instance);
        Assert.Equal(40, other.Apply(stored, 10));
        Assert.Equal(55, other.Apply(stored, 55));
        await WaitForStoredAsync(run.Id, 55);
    }

    [Fact]
    public async Task A_floor_the_store_holds_is_not_written_again_and_a_completed_run_is_forgotten()
    {
        var run = await CreateRunAsync();
        await _store.RaiseProgressAsync(run.Id, 70, Ct);
        var read = (await _store.GetRunAsync(run.Id, Ct))!;
        await using var floor = new ProgressFloor(_store, TimeProvider.System, NullLogger<ProgressFloor>.Instance);

        Assert.Equal(70, floor.Apply(read, 30));
        Assert.Equal(1, floor.Count);
        floor.Forget(run.Id);

        Assert.Equal(0, floor.Count);
        Assert.Equal(70, (await _store.GetRunAsync(run.Id, Ct))!.ProgressPercent);
    }

    private async Task<RunRecord> CreateRunAsync()
    {
        await _store.MigrateAsync(Ct);
        var now = DateTimeOffset.UtcNow;
        var run = new RunRecord(Guid.CreateVersion7(), "org-a", "wf-1", "Workflow", 1, """{"blocks":[]}""", """{"result_formats":["csv"]}""",
            RunStatus.Running, now, now);
        await _store.CreateRunAsync(run, [new RunBlockRecord(run.Id, "input", "webhook", 1, 0, BlockStatus.Running)], Ct);
        return (await _store.GetRunAsync(run.Id, Ct))!;
    }

    /// <summary>The run once its stored floor reached <paramref name="percent"/> (the raise runs behind the answer).</summary>
    private async Task<RunRecord> WaitForStoredAsync(Guid runId, int percent)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (true)
        {
            var run = (await _store.GetRunAsync(runId, Ct))!;
            if (run.ProgressPercent >= percent)
            {
                Assert.Equal(percent, run.ProgressPercent);
                return run;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
