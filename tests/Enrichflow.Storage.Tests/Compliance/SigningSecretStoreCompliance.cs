using System.Text;
using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Tests.Compliance;

/// <summary>What every <see cref="ISigningSecretStore"/> backend must do (docs/api.md §6).</summary>
public abstract class SigningSecretStoreCompliance : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(3);

    private ISigningSecretStore? _store;

    protected ISigningSecretStore Store => _store ?? throw new InvalidOperationException("The store is not initialized.");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Makes a fresh, empty store with its schema in place and its encryption key set.</summary>
    protected abstract ValueTask<ISigningSecretStore> CreateStoreAsync(CancellationToken cancellationToken);

    /// <summary>Every byte the backend keeps for signing secrets, as it is stored (table rows, files, logs).</summary>
    protected abstract ValueTask<byte[]> ReadRawStorageAsync(CancellationToken cancellationToken);

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
    public async Task An_organization_without_a_secret_has_no_current_secret_and_signs_nothing()
    {
        Assert.Null(await Store.GetCurrentSigningSecretAsync("org-a", Ct));
        Assert.Empty(await Store.GetSigningSecretsAsync("org-a", T0, Ct));
    }

    [Fact]
    public async Task A_created_secret_is_active_signs_and_shows_only_a_preview_in_its_metadata()
    {
        var created = await Store.CreateSigningSecretAsync("org-a", T0, Ct);

        Assert.StartsWith("sk_whsec_", created.Plaintext, StringComparison.Ordinal);
        Assert.Equal(SigningSecretStatus.Active, created.Meta.Status);
        Assert.Equal(("org-a", T0, (DateTimeOffset?)null), (created.Meta.OrgId, created.Meta.CreatedAt, created.Meta.RevokedAt));
        Assert.EndsWith(created.Plaintext[^4..], created.Meta.Preview, StringComparison.Ordinal);
        Assert.DoesNotContain(created.Plaintext, created.Meta.Preview, StringComparison.Ordinal);
        Assert.Equal(created.Meta, await Store.GetCurrentSigningSecretAsync("org-a", Ct));
        Assert.Equal([created.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0, Ct));
    }

    [Fact]
    public async Task Creating_again_revokes_the_older_secret_at_once()
    {
        var first = await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        var second = await Store.CreateSigningSecretAsync("org-a", T0.AddMinutes(1), Ct);

        Assert.NotEqual(first.Plaintext, second.Plaintext);
        Assert.NotEqual(first.Meta.Id, second.Meta.Id);
        Assert.Equal(second.Meta, await Store.GetCurrentSigningSecretAsync("org-a", Ct));
        Assert.Equal([second.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0.AddMinutes(1), Ct));
    }

    [Fact]
    public async Task A_rolled_secret_signs_beside_the_new_one_until_its_overlap_ends()
    {
        var first = await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        var rolled = await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(24), T0.AddHours(1), Ct);

        Assert.NotNull(rolled);
        Assert.Equal(rolled.Meta, await Store.GetCurrentSigningSecretAsync("org-a", Ct));
        Assert.Equal([rolled.Plaintext, first.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0.AddHours(1), Ct));
        Assert.Equal([rolled.Plaintext, first.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0.AddHours(25).AddTicks(-1), Ct));
        Assert.Equal([rolled.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0.AddHours(25), Ct));
    }

    [Fact]
    public async Task A_roll_without_overlap_revokes_the_old_secret_at_once()
    {
        await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        var rolled = await Store.RollSigningSecretAsync("org-a", TimeSpan.Zero, T0.AddHours(1), Ct);

        Assert.Equal([rolled!.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0.AddHours(1), Ct));
    }

    [Fact]
    public async Task Rolling_again_during_an_overlap_ends_the_oldest_secret_so_at_most_two_sign()
    {
        var first = await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        var second = await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(24), T0.AddHours(1), Ct);
        var third = await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(24), T0.AddHours(2), Ct);

        var signing = await Store.GetSigningSecretsAsync("org-a", T0.AddHours(2), Ct);
        Assert.Equal([third!.Plaintext, second!.Plaintext], signing);
        Assert.DoesNotContain(first.Plaintext, signing);
    }

    [Fact]
    public async Task Rolling_when_there_is_no_secret_returns_null()
    {
        Assert.Null(await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(24), T0, Ct));

        await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        await Store.DeleteSigningSecretsAsync("org-a", T0.AddMinutes(1), Ct);

        Assert.Null(await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(24), T0.AddMinutes(2), Ct));
    }

    [Fact]
    public async Task Delete_revokes_every_secret_including_one_in_its_overlap()
    {
        await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(24), T0.AddHours(1), Ct);

        await Store.DeleteSigningSecretsAsync("org-a", T0.AddHours(2), Ct);

        Assert.Null(await Store.GetCurrentSigningSecretAsync("org-a", Ct));
        Assert.Empty(await Store.GetSigningSecretsAsync("org-a", T0.AddHours(2), Ct));
    }

    [Fact]
    public async Task Delete_without_secrets_does_nothing()
    {
        await Store.DeleteSigningSecretsAsync("org-a", T0, Ct);

        Assert.Null(await Store.GetCurrentSigningSecretAsync("org-a", Ct));
    }

    [Fact]
    public async Task Secrets_of_one_organization_are_invisible_to_another()
    {
        var a = await Store.CreateSigningSecretAsync("org-a", T0, Ct);

        Assert.Null(await Store.GetCurrentSigningSecretAsync("org-b", Ct));
        Assert.Empty(await Store.GetSigningSecretsAsync("org-b", T0, Ct));
        Assert.Null(await Store.RollSigningSecretAsync("org-b", TimeSpan.FromHours(1), T0, Ct));

        var b = await Store.CreateSigningSecretAsync("org-b", T0, Ct);
        await Store.DeleteSigningSecretsAsync("org-b", T0.AddMinutes(1), Ct);

        Assert.Equal(a.Meta, await Store.GetCurrentSigningSecretAsync("org-a", Ct));
        Assert.Equal([a.Plaintext], await Store.GetSigningSecretsAsync("org-a", T0.AddMinutes(1), Ct));
        Assert.NotEqual(a.Plaintext, b.Plaintext);
    }

    [Fact]
    public async Task The_plaintext_is_never_stored()
    {
        var created = await Store.CreateSigningSecretAsync("org-a", T0, Ct);
        var rolled = await Store.RollSigningSecretAsync("org-a", TimeSpan.FromHours(1), T0, Ct);

        var raw = await ReadRawStorageAsync(Ct);

        Assert.NotEmpty(raw);
        foreach (var plaintext in new[] { created.Plaintext, rolled!.Plaintext })
        {
            var random = plaintext["sk_whsec_".Length..];
            Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(plaintext)));
            Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(random)));
            Assert.Equal(-1, raw.AsSpan().IndexOf(Encoding.UTF8.GetBytes(random.ToUpperInvariant())));
            Assert.Equal(-1, raw.AsSpan().IndexOf(Convert.FromHexString(random)));
        }
    }
}
