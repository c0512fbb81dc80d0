using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IProviderCache"/> backend must do.</summary>
public abstract class ProviderCacheCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 5, 6, 7, 8, 9, 123, TimeSpan.Zero);

    private IProviderCache? _cache;

    protected IProviderCache Cache => _cache ?? throw new InvalidOperationException("The cache is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty cache with its schema in place.</summary>
    protected abstract ValueTask<IProviderCache> CreateCacheAsync(CancellationToken cancellationToken);

    public async ValueTask InitializeAsync() => _cache = await CreateCacheAsync(Ct);

    public virtual async ValueTask DisposeAsync()
    {
        if (_cache is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private static ProviderCacheEntry Entry(string key, string org = "org-a", string provider = "hunter", DateTimeOffset? createdAt = null) =>
        new(org, provider, key, "found", $$"""{"email":"{{key}}@example.com"}""", 0.25, createdAt ?? T0);

    [Fact]
    public async Task A_put_entry_reads_back_as_it_was_written()
    {
        var entry = new ProviderCacheEntry("org-a", "hunter", "domain=acme.com|name=Zoë", "found", """{"email":"zoë@acme.com","score":97}""", 1.5,
            new DateTimeOffset(2025, 5, 6, 9, 8, 9, 123, TimeSpan.FromHours(2)).AddTicks(4567));
        await Cache.PutAsync(entry, Ct);

        var read = await Cache.GetAsync("org-a", "hunter", "domain=acme.com|name=Zoë", Ct);

        Assert.Equal(entry, read);
        Assert.Equal(entry.CreatedAt.UtcTicks, read!.CreatedAt.UtcTicks);
    }

    [Fact]
    public async Task A_key_never_put_is_not_found()
    {
        await Cache.PutAsync(Entry("k1"), Ct);

        Assert.Null(await Cache.GetAsync("org-a", "hunter", "k2", Ct));
        Assert.Empty(await Cache.GetManyAsync("org-a", "hunter", ["k2", "k3"], Ct));
        Assert.Empty(await Cache.GetManyAsync("org-a", "hunter", [], Ct));
    }

    [Fact]
    public async Task Putting_the_same_key_again_replaces_the_entry()
    {
        await Cache.PutAsync(Entry("k1"), Ct);
        var replacement = new ProviderCacheEntry("org-a", "hunter", "k1", "not_found", "null", 0, T0.AddDays(3));
        await Cache.PutAsync(replacement, Ct);

        Assert.Equal(replacement, await Cache.GetAsync("org-a", "hunter", "k1", Ct));
        Assert.Equal(replacement, Assert.Single(await Cache.GetManyAsync("org-a", "hunter", ["k1"], Ct)).Value);
    }

    [Fact]
    public async Task Organizations_and_providers_each_have_their_own_entries()
    {
        await Cache.PutAsync(Entry("k1", org: "org-a", provider: "hunter") with { AnswerJson = "\"a-hunter\"" }, Ct);
        await Cache.PutAsync(Entry("k1", org: "org-a", provider: "apollo") with { AnswerJson = "\"a-apollo\"" }, Ct);
        await Cache.PutAsync(Entry("k1", org: "org-b", provider: "hunter") with { AnswerJson = "\"b-hunter\"" }, Ct);

        Assert.Equal("\"a-hunter\"", (await Cache.GetAsync("org-a", "hunter", "k1", Ct))!.AnswerJson);
        Assert.Equal("\"a-apollo\"", (await Cache.GetAsync("org-a", "apollo", "k1", Ct))!.AnswerJson);
        Assert.Equal("\"b-hunter\"", (await Cache.GetAsync("org-b", "hunter", "k1", Ct))!.AnswerJson);
        Assert.Null(await Cache.GetAsync("org-b", "apollo", "k1", Ct));
        Assert.Equal("\"b-hunter\"", Assert.Single(await Cache.GetManyAsync("org-b", "hunter", ["k1"], Ct)).Value.AnswerJson);
        Assert.Empty(await Cache.GetManyAsync("org-c", "hunter", ["k1"], Ct));
    }

    [Fact]
    public async Task Get_many_over_thousands_of_keys_returns_only_the_existing_ones_by_key()
    {
        for (var i = 0; i < 2_345; i += 2)
        {
            await Cache.PutAsync(Entry($"key-{i}"), Ct);
        }

        await Cache.PutAsync(Entry("key-1", org: "org-b"), Ct);
        await Cache.PutAsync(Entry("key-3", provider: "apollo"), Ct);
        var asked = Enumerable.Range(0, 2_345).Select(i => $"key-{i}").Append("key-0").Append("key-2").ToList();

        var found = await Cache.GetManyAsync("org-a", "hunter", asked, Ct);

        Assert.Equal(1_173, found.Count);
        Assert.Equal(Enumerable.Range(0, 1_173).Select(i => $"key-{i * 2}").Order(StringComparer.Ordinal), found.Keys.Order(StringComparer.Ordinal));
        Assert.All(found, pair => Assert.Equal(Entry(pair.Key), pair.Value));
    }

    [Fact]
    public async Task Deleting_older_entries_keeps_those_created_at_or_after_the_cutoff()
    {
        await Cache.PutAsync(Entry("old", createdAt: T0.AddDays(-40)), Ct);
        await Cache.PutAsync(Entry("older", org: "org-b", provider: "apollo", createdAt: T0.AddDays(-400)), Ct);
        await Cache.PutAsync(Entry("just-before", createdAt: T0.AddTicks(-1)), Ct);
        await Cache.PutAsync(Entry("at-cutoff", createdAt: T0), Ct);
        await Cache.PutAsync(Entry("new", createdAt: T0.AddDays(1)), Ct);

        Assert.Equal(3, await Cache.DeleteOlderThanAsync(T0, Ct));

        Assert.Null(await Cache.GetAsync("org-a", "hunter", "old", Ct));
        Assert.Null(await Cache.GetAsync("org-b", "apollo", "older", Ct));
        Assert.Null(await Cache.GetAsync("org-a", "hunter", "just-before", Ct));
        Assert.Equal(["at-cutoff", "new"], (await Cache.GetManyAsync("org-a", "hunter", ["old", "just-before", "at-cutoff", "new"], Ct)).Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0, await Cache.DeleteOlderThanAsync(T0, Ct));
    }

    [Fact]
    public async Task A_replaced_entry_ages_from_its_replacement()
    {
        await Cache.PutAsync(Entry("k1", createdAt: T0.AddDays(-40)), Ct);
        await Cache.PutAsync(Entry("k1", createdAt: T0.AddDays(1)), Ct);

        Assert.Equal(0, await Cache.DeleteOlderThanAsync(T0, Ct));
        Assert.NotNull(await Cache.GetAsync("org-a", "hunter", "k1", Ct));
    }
}
