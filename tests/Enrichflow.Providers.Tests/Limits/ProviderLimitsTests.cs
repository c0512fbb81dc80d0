using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Providers.Tests.Limits;

public sealed class ProviderLimitsTests
{
    private static readonly ProviderLimits Settings = new(500, 10, TimeSpan.FromMinutes(5), 1m);

    [Fact]
    public void Every_run_gets_the_same_limiter_for_a_provider_and_the_first_settings_stay()
    {
        using var limits = new ProviderLimiters(new FakeTimeProvider());

        var first = limits.For("sixtyfour", Settings);
        var again = limits.For("sixtyfour", Settings with { RequestsPerMinute = 5 });
        var other = limits.For("openai", Settings);

        Assert.Same(first, again);
        Assert.Same(first, limits.Find("sixtyfour"));
        Assert.Null(limits.Find("apollo"));
        Assert.Equal(500, again.Limits.RequestsPerMinute);
        Assert.NotSame(first, other);
        Assert.Equal(["openai", "sixtyfour"], limits.Snapshot().Select(s => s.Provider));
    }

    [Fact]
    public async Task Dispose_disposes_every_limiter()
    {
        var limits = new ProviderLimiters(new FakeTimeProvider());
        var limiter = limits.For("sixtyfour", Settings);

        limits.Dispose();

        await Assert.ThrowsAsync<ObjectDisposedException>(
            async () => await limiter.AcquireSlotAsync("org", Guid.NewGuid(), 0, TestContext.Current.CancellationToken));
    }
}
