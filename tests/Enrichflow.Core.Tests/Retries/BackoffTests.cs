using Enrichflow.Core.Retries;

namespace Enrichflow.Core.Tests.Retries;

public sealed class BackoffTests
{
    private static readonly Backoff TenSecondsToTenMinutes = new(TimeSpan.FromSeconds(10), TimeSpan.FromMinutes(10));

    [Theory]
    [InlineData(0, 10)]
    [InlineData(1, 20)]
    [InlineData(2, 40)]
    [InlineData(5, 320)]
    [InlineData(6, 600)]
    [InlineData(30, 600)]
    [InlineData(100_000, 600)]
    public void Each_retry_doubles_the_wait_up_to_the_maximum(int retry, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), TenSecondsToTenMinutes.Delay(retry, 0));
    }

    [Fact]
    public void A_retry_before_the_first_waits_as_long_as_the_first()
    {
        Assert.Equal(TimeSpan.FromSeconds(10), TenSecondsToTenMinutes.Delay(-3, 0));
    }

    [Theory]
    [InlineData(0.0, 40)]
    [InlineData(0.5, 30)]
    [InlineData(1.0, 20)]
    [InlineData(-1.0, 40)]
    [InlineData(2.0, 20)]
    public void Jitter_takes_off_at_most_its_share_of_the_wait(double random, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), TenSecondsToTenMinutes.Delay(2, random));
    }

    [Fact]
    public void Random_jitter_stays_between_half_and_all_of_the_wait()
    {
        for (var i = 0; i < 1000; i++)
        {
            Assert.InRange(TenSecondsToTenMinutes.Delay(1), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20));
        }
    }

    [Fact]
    public void Without_jitter_the_wait_is_exact()
    {
        var backoff = Backoff.Uncapped(TimeSpan.FromSeconds(2), jitter: 0);

        Assert.Equal(TimeSpan.FromSeconds(2), backoff.Delay(0));
        Assert.Equal(TimeSpan.FromSeconds(4), backoff.Delay(1));
        Assert.Equal(TimeSpan.FromSeconds(1024), backoff.Delay(9));
    }

    [Fact]
    public void Another_factor_grows_the_wait_by_that_much()
    {
        var backoff = new Backoff(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(30), Factor: 1.5, Jitter: 0);

        Assert.Equal(new double[] { 4, 6, 9, 13.5, 20.25, 30, 30 }, Enumerable.Range(0, 7).Select(n => backoff.Delay(n).TotalSeconds));
    }

    [Fact]
    public void An_uncapped_backoff_stops_at_the_longest_time_span_instead_of_overflowing()
    {
        var backoff = Backoff.Uncapped(TimeSpan.FromSeconds(1));

        Assert.Equal(TimeSpan.MaxValue, backoff.Delay(5000, 0));
        Assert.Equal(TimeSpan.MaxValue, backoff.Delay(int.MaxValue, 0));
        Assert.InRange(backoff.Delay(5000, 1), TimeSpan.FromTicks(long.MaxValue / 2 - 1024), TimeSpan.FromTicks(long.MaxValue / 2 + 1024));
    }

    [Fact]
    public void No_initial_wait_means_no_wait_at_all()
    {
        var backoff = new Backoff(TimeSpan.Zero, TimeSpan.FromSeconds(60));

        Assert.Equal(TimeSpan.Zero, backoff.Delay(0, 0.3));
        Assert.Equal(TimeSpan.Zero, backoff.Delay(10_000, 0.3));
    }
}
