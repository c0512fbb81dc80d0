using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="IAccountStore"/> backend must do.</summary>
public abstract class AccountStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(3);

    private IAccountStore? _store;

    protected IAccountStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place.</summary>
    protected abstract ValueTask<IAccountStore> CreateStoreAsync(CancellationToken cancellationToken);

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
    public async Task Migrate_can_run_again_and_keeps_what_the_store_holds()
    {
        await Store.GetOrCreateOrganizationAsync("org-a", T0, Ct);
        var key = new ApiKeyRecord("key-1", "org-a", Hash(1), ReadOnly: false, T0);
        await Store.AddApiKeyAsync(key, Ct);
        var upload = new UploadRecord(Guid.CreateVersion7(), "org-a", "leads.csv", "uploads/org-a/leads.csv", 1234, T0);
        await Store.AddUploadAsync(upload, Ct);

        await Store.MigrateAsync(Ct);
        await Store.MigrateAsync(Ct);

        Assert.True(await Store.HasAnyOrganizationAsync(Ct));
        Assert.Equal("key-1", (await Store.FindApiKeyAsync(Hash(1), Ct))?.Id);
        Assert.Equal(upload, await Store.GetUploadAsync("org-a", upload.HandleId, Ct));
        await Store.AddApiKeyAsync(key with { Id = "key-2", Hash = Hash(2) }, Ct);
        Assert.Equal("key-2", (await Store.FindApiKeyAsync(Hash(2), Ct))?.Id);
    }

    [Fact]
    public async Task An_organization_is_created_once()
    {
        Assert.False(await Store.HasAnyOrganizationAsync(Ct));

        var created = await Store.GetOrCreateOrganizationAsync("org-a", T0, Ct);
        var again = await Store.GetOrCreateOrganizationAsync("org-a", T0.AddDays(1), Ct);

        Assert.Equal(("org-a", T0), (created.Id, created.CreatedAt));
        Assert.Equal(created, again);
        Assert.True(await Store.HasAnyOrganizationAsync(Ct));
    }

    [Fact]
    public async Task An_api_key_is_found_by_its_hash()
    {
        await Store.GetOrCreateOrganizationAsync("org-a", T0, Ct);
        var key = new ApiKeyRecord("key-1", "org-a", Hash(1), ReadOnly: true, T0);
        await Store.AddApiKeyAsync(key, Ct);
        await Store.AddApiKeyAsync(key with { Id = "key-2", Hash = Hash(2), ReadOnly = false }, Ct);

        var found = await Store.FindApiKeyAsync(Hash(1), Ct);

        Assert.NotNull(found);
        Assert.Equal((key.Id, key.OrgId, key.ReadOnly, key.CreatedAt), (found.Id, found.OrgId, found.ReadOnly, found.CreatedAt));
        Assert.Equal(key.Hash, found.Hash);
        Assert.Equal("key-2", (await Store.FindApiKeyAsync(Hash(2), Ct))!.Id);
        Assert.Null(await Store.FindApiKeyAsync(Hash(3), Ct));
    }

    [Fact]
    public async Task Api_keys_are_listed_oldest_first_and_a_revocation_keeps_its_first_time()
    {
        await Store.GetOrCreateOrganizationAsync("org-a", T0, Ct);
        await Store.AddApiKeyAsync(new ApiKeyRecord("key-2", "org-a", Hash(2), ReadOnly: true, T0.AddMinutes(1)), Ct);
        await Store.AddApiKeyAsync(new ApiKeyRecord("key-1", "org-a", Hash(1), ReadOnly: false, T0), Ct);

        Assert.True(await Store.RevokeApiKeyAsync("key-2", T0.AddHours(1), Ct));
        Assert.True(await Store.RevokeApiKeyAsync("key-2", T0.AddHours(2), Ct));
        Assert.False(await Store.RevokeApiKeyAsync("key-3", T0, Ct));

        var keys = await Store.ListApiKeysAsync(Ct);
        Assert.Equal(["key-1", "key-2"], keys.Select(k => k.Id));
        Assert.Equal([null, T0.AddHours(1)], keys.Select(k => k.RevokedAt));
        Assert.Equal(T0.AddHours(1), (await Store.FindApiKeyAsync(Hash(2), Ct))!.RevokedAt);
    }

    [Fact]
    public async Task Uploads_are_isolated_by_organization()
    {
        var upload = new UploadRecord(Guid.CreateVersion7(), "org-a", "leads.csv", "uploads/org-a/leads.csv", 1234, T0);
        await Store.AddUploadAsync(upload, Ct);

        Assert.Equal(upload, await Store.GetUploadAsync("org-a", upload.HandleId, Ct));
        Assert.Null(await Store.GetUploadAsync("org-b", upload.HandleId, Ct));
        Assert.Null(await Store.GetUploadAsync("org-a", Guid.NewGuid(), Ct));
    }

    [Fact]
    public async Task An_idempotency_key_is_added_once_per_organization()
    {
        var record = new IdempotencyRecord("org-a", "key-1", "hash-1", """{"job_id":"1"}""", T0);

        Assert.True(await Store.TryAddIdempotencyAsync(record, T0.AddDays(-1), Ct));
        Assert.False(await Store.TryAddIdempotencyAsync(record with { RequestHash = "hash-2", CreatedAt = T0.AddHours(1) }, T0.AddDays(-1), Ct));
        Assert.True(await Store.TryAddIdempotencyAsync(record with { OrgId = "org-b" }, T0.AddDays(-1), Ct));

        Assert.Equal(record, await Store.GetIdempotencyAsync("org-a", "key-1", Ct));
        Assert.Null(await Store.GetIdempotencyAsync("org-c", "key-1", Ct));
    }

    [Fact]
    public async Task An_expired_idempotency_record_is_replaced()
    {
        var record = new IdempotencyRecord("org-a", "key-1", "hash-1", """{"job_id":"1"}""", T0);
        await Store.TryAddIdempotencyAsync(record, T0.AddDays(-1), Ct);
        var later = record with { RequestHash = "hash-2", ResponseJson = """{"job_id":"2"}""", CreatedAt = T0.AddDays(2) };

        Assert.False(await Store.TryAddIdempotencyAsync(later, T0, Ct));
        Assert.True(await Store.TryAddIdempotencyAsync(later, T0.AddDays(1), Ct));

        Assert.Equal(later, await Store.GetIdempotencyAsync("org-a", "key-1", Ct));
    }

    private static byte[] Hash(byte seed) => [.. Enumerable.Range(0, 32).Select(i => (byte)(i * seed))];
}
