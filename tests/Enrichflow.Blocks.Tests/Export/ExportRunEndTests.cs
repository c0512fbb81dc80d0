using Enrichflow.Blocks.Export;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using static Enrichflow.Blocks.Tests.Validation.BlockTestKit;

namespace Enrichflow.Blocks.Tests.Export;

/// <summary>What a run's end means for an <c>export</c>: its delivered batches are forgotten once the run cannot continue.</summary>
public sealed class ExportRunEndTests
{
    [Theory]
    [InlineData(RunStatus.Completed, true)]
    [InlineData(RunStatus.Cancelled, true)]
    [InlineData(RunStatus.Failed, false)]
    public async Task The_ledger_forgets_the_run_unless_resume_may_continue_it(RunStatus status, bool forgets)
    {
        var block = Compile(new ExportBlockType(), """{"destination": {"type": "http", "url": "https://sink.example.com/rows"}}""");
        var ledger = new RecordingLedger();
        var run = new RunRecord(Guid.CreateVersion7(), "org", "wf", "Workflow", 1, "{}", "{}", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

        await block.OnRunEndedAsync(new BlockRunEndContext { Run = run, BlockId = "export", Services = new Services(ledger) }, TestContext.Current.CancellationToken);

        Assert.Equal(forgets ? new List<Guid> { run.Id } : [], ledger.Deleted);
    }

    private sealed class Services(IExportLedger ledger) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IExportLedger) ? ledger : null;
    }

    private sealed class RecordingLedger : IExportLedger
    {
        public List<Guid> Deleted { get; } = [];

        public Task<IReadOnlySet<long>> GetAcknowledgedAsync(Guid runId, string blockId, long firstBatch, long lastBatch, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlySet<long>>(new HashSet<long>());

        public Task RecordAcknowledgedAsync(ExportAcknowledgement acknowledgement, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task DeleteExportBatchesAsync(Guid runId, CancellationToken cancellationToken)
        {
            Deleted.Add(runId);
            return Task.CompletedTask;
        }
    }
}
