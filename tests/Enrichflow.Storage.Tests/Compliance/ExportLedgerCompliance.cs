using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IExportLedger"/> backend must do.</summary>
public abstract class ExportLedgerCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);

    private IExportLedger? _ledger;

    protected IExportLedger Ledger => _ledger ?? throw new InvalidOperationException("The ledger is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty ledger with its schema in place.</summary>
    protected abstract ValueTask<IExportLedger> CreateLedgerAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _ledger = await CreateLedgerAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_ledger is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static ExportAcknowledgement Ack(Guid run, string block, long batch) => new(run, block, batch, 100, 200, Now);

    [Fact]
    public async Task Acknowledged_batches_are_found_within_the_asked_range_only()
    {
        var run = Guid.NewGuid();
        foreach (var batch in new long[] { 0, 1, 1_000_000, 1_000_002, 2_000_000 })
        {
            await Ledger.RecordAcknowledgedAsync(Ack(run, "ship", batch), Ct);
        }

        Assert.Equal(new long[] { 1_000_000, 1_000_002 }, (await Ledger.GetAcknowledgedAsync(run, "ship", 1_000_000, 1_999_999, Ct)).Order());
        Assert.Equal(new long[] { 0, 1 }, (await Ledger.GetAcknowledgedAsync(run, "ship", 0, 1, Ct)).Order());
        Assert.Empty(await Ledger.GetAcknowledgedAsync(run, "ship", 3_000_000, 3_999_999, Ct));
    }

    [Fact]
    public async Task Recording_a_batch_twice_is_harmless()
    {
        var run = Guid.NewGuid();
        await Ledger.RecordAcknowledgedAsync(Ack(run, "ship", 7), Ct);
        await Ledger.RecordAcknowledgedAsync(Ack(run, "ship", 7) with { Status = 201 }, Ct);

        Assert.Equal(new long[] { 7 }, await Ledger.GetAcknowledgedAsync(run, "ship", 0, 100, Ct));
    }

    [Fact]
    public async Task Runs_and_blocks_are_separate_and_a_run_is_forgotten_alone()
    {
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
        await Ledger.RecordAcknowledgedAsync(Ack(a, "ship", 1), Ct);
        await Ledger.RecordAcknowledgedAsync(Ack(a, "other", 2), Ct);
        await Ledger.RecordAcknowledgedAsync(Ack(b, "ship", 3), Ct);

        Assert.Equal(new long[] { 1 }, await Ledger.GetAcknowledgedAsync(a, "ship", 0, 10, Ct));
        Assert.Equal(new long[] { 2 }, await Ledger.GetAcknowledgedAsync(a, "other", 0, 10, Ct));

        await Ledger.DeleteExportBatchesAsync(a, Ct);

        Assert.Empty(await Ledger.GetAcknowledgedAsync(a, "ship", 0, 10, Ct));
        Assert.Empty(await Ledger.GetAcknowledgedAsync(a, "other", 0, 10, Ct));
        Assert.Equal(new long[] { 3 }, await Ledger.GetAcknowledgedAsync(b, "ship", 0, 10, Ct));
    }

    [Fact]
    public async Task Concurrent_records_of_the_same_batches_leave_each_once()
    {
        var run = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            for (var batch = 0; batch < 20; batch++)
            {
                await Ledger.RecordAcknowledgedAsync(Ack(run, "ship", batch), Ct);
            }
        }, Ct)));

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i), (await Ledger.GetAcknowledgedAsync(run, "ship", 0, 100, Ct)).Order());
    }
}
