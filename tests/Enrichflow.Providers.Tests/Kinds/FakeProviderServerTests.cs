using System.Net;
using Enrichflow.Fakes;
using static Enrichflow.Providers.Tests.Kinds.ProviderKit;

namespace Enrichflow.Providers.Tests.Kinds;

/// <summary>The fake's own knobs: what the provider and pacing tests rely on.</summary>
public sealed class FakeProviderServerTests
{
    [Fact]
    public async Task Requests_over_the_per_minute_limit_get_429_with_Retry_After_and_are_counted()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { RequestsPerMinute = 2, ApiKey = null }, Ct);
        using var client = new HttpClient { BaseAddress = fake.BaseUrl };

        var statuses = new List<HttpStatusCode>();
        TimeSpan? retryAfter = null;
        for (var i = 0; i < 3; i++)
        {
            using var response = await client.GetAsync(new Uri($"v1/companies?domain=c{i}.example", UriKind.Relative), Ct);
            statuses.Add(response.StatusCode);
            retryAfter ??= response.Headers.RetryAfter?.Delta;
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.InRange(retryAfter!.Value.TotalSeconds, 1, 60);
        Assert.Equal(1, fake.Throttled);
        Assert.Equal(3, fake.TotalCalls);
        Assert.Equal(3, fake.MaxCallsInWindow(TimeSpan.FromSeconds(60)));
        Assert.Equal(1, fake.CallsFor("C2.example"));
    }

    [Fact]
    public void Hits_are_deterministic_per_seed_and_key_and_follow_the_hit_percent()
    {
        var keys = Enumerable.Range(0, 400).Select(i => $"company{i}.example").ToList();

        var hits = keys.Count(k => FakeData.IsFound(7, k, 30));

        Assert.InRange(hits, 80, 160);

        // A hit depends on the seed and the key alone: not on what was asked before, nor on the order of asking.
        var found = keys.Select(k => FakeData.IsFound(7, k, 30)).ToList();
        var backwards = Enumerable.Reverse(keys).Select(k => FakeData.IsFound(7, k, 30)).Reverse().ToList();
        Assert.Equal(found, backwards);
        Assert.NotEqual(found, keys.Select(k => FakeData.IsFound(8, k, 30)).ToList());

        // The same value on every run and machine (bench results compare across runs); another seed gives another.
        Assert.Equal("19321", FakeData.Value(7, "acme.example", "employees", "int")!.ToJsonString());
        Assert.Equal("7276", FakeData.Value(8, "acme.example", "employees", "int")!.ToJsonString());
    }

    [Fact]
    public async Task Latency_and_concurrency_are_measured()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { ApiKey = null, LatencyMin = TimeSpan.FromMilliseconds(100), LatencyMax = TimeSpan.FromMilliseconds(150) }, Ct);
        using var client = new HttpClient { BaseAddress = fake.BaseUrl };

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => client.GetAsync(new Uri($"v1/companies?domain=c{i}.example", UriKind.Relative), Ct)));

        Assert.Equal(5, fake.MaxInFlight);
        Assert.Equal(0, fake.InFlight);
    }
}
