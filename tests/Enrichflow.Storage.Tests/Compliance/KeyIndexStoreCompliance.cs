using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IKeyIndexStore"/> backend must do.</summary>
public abstract class KeyIndexStoreCompliance : IAsyncLifetime
{
    private IKeyIndexStore? _store;

    protected IKeyIndexStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IKeyIndexStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static byte[] Key(int n) => [.. BitConverter.GetBytes(n), 0xAB, 0xCD];

    [Fact]
    public async Task Keep_first_records_the_lowest_row_index_whatever_the_order_of_calls()
    {
        await Store.RecordAsync("s", [new KeyEntry(Key(1), 40), new KeyEntry(Key(2), 7)], KeyKeep.First, Ct);
        await Store.RecordAsync("s", [new KeyEntry(Key(1), 3), new KeyEntry(Key(2), 9)], KeyKeep.First, Ct);
        await Store.RecordAsync("s", [new KeyEntry(Key(1), 3)], KeyKeep.First, Ct);

        Assert.Equal(new long[] { 3L, 7L, -1L }, await Store.LookupAsync("s", [Key(1), Key(2), Key(3)], Ct));
    }

    [Fact]
    public async Task Keep_last_records_the_highest_row_index()
    {
        await Store.RecordAsync("s", [new KeyEntry(Key(1), 3), new KeyEntry(Key(1), 40), new KeyEntry(Key(1), 12)], KeyKeep.Last, Ct);

        Assert.Equal(new long[] { 40L }, await Store.LookupAsync("s", [Key(1)], Ct));
    }

    [Fact]
    public async Task Scopes_are_separate_and_deleted_by_prefix()
    {
        await Store.RecordAsync("run:a:dedupe", [new KeyEntry(Key(1), 1)], KeyKeep.First, Ct);
        await Store.RecordAsync("run:a:other", [new KeyEntry(Key(1), 2)], KeyKeep.First, Ct);
        await Store.RecordAsync("run:b:dedupe", [new KeyEntry(Key(1), 3)], KeyKeep.First, Ct);

        Assert.Equal(new long[] { 1L }, await Store.LookupAsync("run:a:dedupe", [Key(1)], Ct));
        await Store.DeleteScopesAsync("run:a:", Ct);

        Assert.Equal(new long[] { -1L }, await Store.LookupAsync("run:a:dedupe", [Key(1)], Ct));
        Assert.Equal(new long[] { -1L }, await Store.LookupAsync("run:a:other", [Key(1)], Ct));
        Assert.Equal(new long[] { 3L }, await Store.LookupAsync("run:b:dedupe", [Key(1)], Ct));
    }

    [Fact]
    public async Task Thousands_of_keys_record_and_look_up_in_one_call_each()
    {
        var entries = Enumerable.Range(0, 5_000).Select(i => new KeyEntry(Key(i % 2_500), i)).ToList();
        await Store.RecordAsync("big", entries, KeyKeep.First, Ct);

        var found = await Store.LookupAsync("big", [.. Enumerable.Range(0, 2_500).Select(Key)], Ct);
        Assert.Equal(Enumerable.Range(0, 2_500).Select(i => (long)i), found);
        Assert.Empty(await Store.LookupAsync("big", [], Ct));
    }

    [Fact]
    public async Task The_multi_map_keeps_every_location_of_a_key_once_in_order()
    {
        await Store.AddAllAsync("join", [new KeyEntry(Key(1), 30), new KeyEntry(Key(1), 10), new KeyEntry(Key(2), 5)], Ct);
        await Store.AddAllAsync("join", [new KeyEntry(Key(1), 10), new KeyEntry(Key(1), 20)], Ct);

        var found = await Store.LookupAllAsync("join", [Key(1), Key(2), Key(3)], Ct);
        Assert.Equal(new long[] { 10, 20, 30 }, found[0]);
        Assert.Equal(new long[] { 5 }, found[1]);
        Assert.Empty(found[2]);

        await Store.DeleteScopesAsync("join", Ct);
        Assert.Empty((await Store.LookupAllAsync("join", [Key(1)], Ct))[0]);
    }
}
