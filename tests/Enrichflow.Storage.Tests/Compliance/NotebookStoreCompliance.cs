using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>
/// What every <see cref="INotebookStore"/> backend must do. <c>append_to_notebook</c> creates its notebook with
/// <see cref="INotebookStore.CreateIfAbsentAsync"/> from every chunk of every run (concurrently) and records each
/// chunk as one segment, again when a unit is retried; <c>read_notebook</c> and the API read the segments back.
/// </summary>
public abstract class NotebookStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(7);

    private INotebookStore? _store;

    protected INotebookStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<INotebookStore> CreateStoreAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _store = await CreateStoreAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task A_created_notebook_is_empty_and_reads_back_with_its_name_key_fields_and_time()
    {
        var created = await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", ["email", "domain"], T0, Ct);

        var expected = ("nb-1", "org-a", "Leads", "email|domain", 0L, T0, T0);
        Assert.Equal(expected, Shape(created));
        Assert.Equal(expected, Shape(await Store.GetNotebookAsync("org-a", "nb-1", Ct)));
        Assert.Empty(await Store.ListSegmentsAsync("nb-1", Ct));
    }

    [Fact]
    public async Task A_notebook_without_key_fields_reads_back_without_them()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Log", null, T0, Ct);

        var notebook = await Store.GetNotebookAsync("org-a", "nb-1", Ct);

        Assert.NotNull(notebook);
        Assert.Null(notebook.KeyFields);
    }

    [Fact]
    public async Task Creating_an_existing_notebook_again_returns_it_as_it_is()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", ["email"], T0, Ct);
        await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 5, T0.AddMinutes(1)), Ct);

        var again = await Store.CreateIfAbsentAsync("org-a", "nb-1", "Other name", ["phone"], T0.AddMinutes(2), Ct);

        Assert.Equal(("nb-1", "org-a", "Leads", "email", 5L, T0, T0.AddMinutes(1)), Shape(again));
        Assert.Single(await Store.ListSegmentsAsync("nb-1", Ct));
    }

    [Fact]
    public async Task Concurrent_creates_of_one_notebook_make_one_and_all_return_it()
    {
        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(() => Store.CreateIfAbsentAsync("org-a", "nb-1", $"Leads {i}", ["email"], T0.AddSeconds(i), Ct), Ct)));

        var first = Shape(created[0]);
        Assert.All(created, notebook => Assert.Equal(first, Shape(notebook)));
        Assert.Equal(first, Shape(Assert.Single(await Store.ListNotebooksAsync("org-a", Ct))));
    }

    [Fact]
    public async Task A_notebook_id_of_another_organization_is_neither_created_nor_read_nor_listed()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", ["email"], T0, Ct);

        Assert.Null(await Store.CreateIfAbsentAsync("org-b", "nb-1", "Theirs", null, T0.AddMinutes(1), Ct));
        Assert.Null(await Store.GetNotebookAsync("org-b", "nb-1", Ct));
        Assert.Empty(await Store.ListNotebooksAsync("org-b", Ct));
        Assert.Equal(("nb-1", "org-a", "Leads", "email", 0L, T0, T0), Shape(await Store.GetNotebookAsync("org-a", "nb-1", Ct)));
    }

    [Fact]
    public async Task An_unknown_notebook_reads_as_null_with_no_segments()
    {
        Assert.Null(await Store.GetNotebookAsync("org-a", "no-such-notebook", Ct));
        Assert.Empty(await Store.ListSegmentsAsync("no-such-notebook", Ct));
        Assert.Empty(await Store.ListNotebooksAsync("org-a", Ct));
    }

    [Fact]
    public async Task The_list_holds_the_organizations_notebooks_most_recently_updated_first()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-old", "Old", null, T0, Ct);
        await Store.CreateIfAbsentAsync("org-a", "nb-new", "New", null, T0.AddMinutes(1), Ct);
        await Store.CreateIfAbsentAsync("org-b", "nb-theirs", "Theirs", null, T0.AddMinutes(2), Ct);
        Assert.Equal(["nb-new", "nb-old"], (await Store.ListNotebooksAsync("org-a", Ct)).Select(n => n.Id));

        // An append updates the notebook: it moves to the front.
        await Store.AddSegmentAsync(Segment("nb-old", "run-1/0", 3, T0.AddMinutes(3)), Ct);

        Assert.Equal(["nb-old", "nb-new"], (await Store.ListNotebooksAsync("org-a", Ct)).Select(n => n.Id));
        Assert.Equal(["nb-theirs"], (await Store.ListNotebooksAsync("org-b", Ct)).Select(n => n.Id));
    }

    [Fact]
    public async Task Each_new_segment_adds_its_rows_and_moves_updated_at_to_its_time()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", null, T0, Ct);

        Assert.True(await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 100, T0.AddMinutes(1)), Ct));
        Assert.True(await Store.AddSegmentAsync(Segment("nb-1", "run-1/1", 42, T0.AddMinutes(2)), Ct));

        Assert.Equal(("nb-1", "org-a", "Leads", "", 142L, T0, T0.AddMinutes(2)), Shape(await Store.GetNotebookAsync("org-a", "nb-1", Ct)));
    }

    [Fact]
    public async Task A_segment_added_again_under_its_key_adds_nothing()
    {
        // A retried unit appends its chunk again, possibly to another blob: the first record stands.
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", null, T0, Ct);
        var first = Segment("nb-1", "run-1/0", 100, T0.AddMinutes(1));
        Assert.True(await Store.AddSegmentAsync(first, Ct));

        Assert.False(await Store.AddSegmentAsync(first, Ct));
        Assert.False(await Store.AddSegmentAsync(first with { BlobKey = "notebooks/nb-1/segments/retry.efc", RowCount = 7, AppendedAt = T0.AddMinutes(5) }, Ct));

        Assert.Equal([first], await Store.ListSegmentsAsync("nb-1", Ct));
        Assert.Equal(("nb-1", "org-a", "Leads", "", 100L, T0, T0.AddMinutes(1)), Shape(await Store.GetNotebookAsync("org-a", "nb-1", Ct)));
    }

    [Fact]
    public async Task Concurrent_adds_of_one_segment_record_it_once()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", null, T0, Ct);
        var segment = Segment("nb-1", "run-1/0", 10, T0.AddMinutes(1));

        var added = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Store.AddSegmentAsync(segment, Ct), Ct)));

        Assert.Single(added, a => a);
        Assert.Equal([segment], await Store.ListSegmentsAsync("nb-1", Ct));
        Assert.Equal(10L, (await Store.GetNotebookAsync("org-a", "nb-1", Ct))!.RowCount);
    }

    [Fact]
    public async Task Segments_are_listed_in_the_order_they_were_added_not_by_key_or_time()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", null, T0, Ct);
        var added = new[]
        {
            Segment("nb-1", "run-2/0", 1, T0.AddMinutes(3)),
            Segment("nb-1", "run-1/5", 2, T0.AddMinutes(1)),
            Segment("nb-1", "run-1/0", 3, T0.AddMinutes(2)),
        };
        foreach (var segment in added)
        {
            await Store.AddSegmentAsync(segment, Ct);
        }

        Assert.Equal(added, await Store.ListSegmentsAsync("nb-1", Ct));
    }

    [Fact]
    public async Task The_same_segment_key_in_two_notebooks_is_two_segments()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "One", null, T0, Ct);
        await Store.CreateIfAbsentAsync("org-a", "nb-2", "Two", null, T0, Ct);

        Assert.True(await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 4, T0.AddMinutes(1)), Ct));
        Assert.True(await Store.AddSegmentAsync(Segment("nb-2", "run-1/0", 6, T0.AddMinutes(1)), Ct));

        Assert.Equal([4L], (await Store.ListSegmentsAsync("nb-1", Ct)).Select(s => s.RowCount));
        Assert.Equal([6L], (await Store.ListSegmentsAsync("nb-2", Ct)).Select(s => s.RowCount));
        Assert.Equal(6L, (await Store.GetNotebookAsync("org-a", "nb-2", Ct))!.RowCount);
    }

    [Fact]
    public async Task Delete_removes_the_notebook_and_its_segments_once()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", null, T0, Ct);
        await Store.CreateIfAbsentAsync("org-a", "nb-2", "Kept", null, T0, Ct);
        await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 5, T0.AddMinutes(1)), Ct);
        await Store.AddSegmentAsync(Segment("nb-2", "run-1/0", 5, T0.AddMinutes(1)), Ct);

        Assert.True(await Store.DeleteNotebookAsync("org-a", "nb-1", Ct));
        Assert.False(await Store.DeleteNotebookAsync("org-a", "nb-1", Ct));

        Assert.Null(await Store.GetNotebookAsync("org-a", "nb-1", Ct));
        Assert.Empty(await Store.ListSegmentsAsync("nb-1", Ct));
        Assert.Equal(["nb-2"], (await Store.ListNotebooksAsync("org-a", Ct)).Select(n => n.Id));
        Assert.Single(await Store.ListSegmentsAsync("nb-2", Ct));
    }

    [Fact]
    public async Task Delete_from_another_organization_is_false_and_keeps_the_notebook()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", null, T0, Ct);
        await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 5, T0.AddMinutes(1)), Ct);

        Assert.False(await Store.DeleteNotebookAsync("org-b", "nb-1", Ct));

        Assert.Equal(5L, (await Store.GetNotebookAsync("org-a", "nb-1", Ct))!.RowCount);
        Assert.Single(await Store.ListSegmentsAsync("nb-1", Ct));
    }

    [Fact]
    public async Task A_deleted_notebook_created_again_starts_empty()
    {
        await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads", ["email"], T0, Ct);
        await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 5, T0.AddMinutes(1)), Ct);
        await Store.DeleteNotebookAsync("org-a", "nb-1", Ct);

        var again = await Store.CreateIfAbsentAsync("org-a", "nb-1", "Leads again", null, T0.AddMinutes(2), Ct);

        Assert.Equal(("nb-1", "org-a", "Leads again", "", 0L, T0.AddMinutes(2), T0.AddMinutes(2)), Shape(again));
        Assert.True(await Store.AddSegmentAsync(Segment("nb-1", "run-1/0", 3, T0.AddMinutes(3)), Ct));
        Assert.Equal([3L], (await Store.ListSegmentsAsync("nb-1", Ct)).Select(s => s.RowCount));
    }

    private static NotebookSegment Segment(string notebookId, string segmentKey, long rows, DateTimeOffset at) =>
        new(notebookId, segmentKey, $"notebooks/{notebookId}/segments/{segmentKey.Replace('/', '-')}.efc", rows, at);

    /// <summary>A notebook as comparable values (its key fields joined with <c>|</c>, empty when it has none).</summary>
    private static (string Id, string OrgId, string Name, string KeyFields, long RowCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt) Shape(NotebookRecord? notebook)
    {
        Assert.NotNull(notebook);
        return (notebook.Id, notebook.OrgId, notebook.Name, string.Join('|', notebook.KeyFields ?? []), notebook.RowCount, notebook.CreatedAt, notebook.UpdatedAt);
    }
}
