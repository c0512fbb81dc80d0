using System.Net;
using System.Net.Http.Headers;
using Enrichflow.Providers;
using Enrichflow.Providers.Limits;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Providers.Tests.Limits;

public sealed class ProviderRateHandlerTests
{
    [Fact]
    public async Task A_429_with_Retry_After_in_seconds_holds_the_provider_and_goes_back_up_unchanged()
    {
        var time = new FakeTimeProvider();
        using var limiter = Limiter(time, 600);
        var answer = TooManyRequests(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)));
        using var client = Client(limiter, new StubNetwork(() => answer));

        var response = await client.GetAsync("/enrich", TestContext.Current.CancellationToken);

        Assert.Same(answer, response);
        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(7), limiter.Snapshot().ThrottledUntil);
        Assert.Equal(594 * 0.8, limiter.Snapshot().CurrentRequestsPerMinute, 6);
    }

    [Fact]
    public async Task A_429_with_Retry_After_as_a_date_holds_the_provider_until_that_date()
    {
        var time = new FakeTimeProvider();
        using var limiter = Limiter(time, 600);
        var until = time.GetUtcNow() + TimeSpan.FromSeconds(30);
        using var client = Client(limiter, new StubNetwork(() => TooManyRequests(new RetryConditionHeaderValue(until))));

        using var response = await client.GetAsync("/enrich", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(until, limiter.Snapshot().ThrottledUntil);
    }

    [Fact]
    public async Task A_429_without_Retry_After_holds_the_provider_for_a_second()
    {
        var time = new FakeTimeProvider();
        using var limiter = Limiter(time, 600);
        using var client = Client(limiter, new StubNetwork(() => TooManyRequests(null)));

        using var response = await client.GetAsync("/enrich", TestContext.Current.CancellationToken);

        Assert.Equal(time.GetUtcNow() + TimeSpan.FromSeconds(1), limiter.Snapshot().ThrottledUntil);
    }

    [Fact]
    public async Task Every_attempt_takes_a_token_and_a_success_does_not_slow_the_provider()
    {
        var time = new FakeTimeProvider();
        using var limiter = Limiter(time, 1);
        var network = new StubNetwork(() => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(limiter, network);
        var ct = TestContext.Current.CancellationToken;

        using var first = await client.GetAsync("/enrich", ct);
        var second = client.GetAsync("/enrich", ct);
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.False(second.IsCompleted);
        Assert.Equal(1, network.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        using var secondResponse = await second.WaitAsync(TimeSpan.FromSeconds(30), ct);

        Assert.Equal(2, network.Calls);
        Assert.Null(limiter.Snapshot().ThrottledUntil);
        Assert.Equal(0.99, limiter.Snapshot().CurrentRequestsPerMinute, 6);
    }

    [Fact]
    public async Task An_unmetered_request_takes_no_token_and_leaves_the_paid_requests_their_pace()
    {
        var time = new FakeTimeProvider();
        using var limiter = Limiter(time, 1);
        var network = new StubNetwork(() => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(limiter, network);
        var ct = TestContext.Current.CancellationToken;

        using var paid = await client.GetAsync("/enrich", ct);
        for (var i = 0; i < 5; i++)
        {
            using var poll = new HttpRequestMessage(HttpMethod.Get, "/job-status/t1");
            poll.Options.Set(ProviderRateHandler.Unmetered, true);
            using var answer = await client.SendAsync(poll, ct).WaitAsync(TimeSpan.FromSeconds(30), ct);
        }

        // Five polls went at once although the bucket is empty; the next paid request still waits its turn.
        Assert.Equal(6, network.Calls);
        var next = client.GetAsync("/enrich", ct);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(61));
        using var nextResponse = await next.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(7, network.Calls);
    }

    [Fact]
    public async Task Each_attempt_waits_for_its_token_in_the_turn_of_the_organization_that_makes_the_call()
    {
        var time = new FakeTimeProvider();
        using var limiter = Limiter(time, 60);
        var network = new StubNetwork(() => new HttpResponseMessage(HttpStatusCode.OK));
        using var client = Client(limiter, network);
        var ct = TestContext.Current.CancellationToken;
        using (await client.GetAsync("/enrich", ct))
        {
        }

        var heavy = new List<Task<HttpResponseMessage>>();
        using (ProviderCallOrg.Enter("org-a"))
        {
            for (var i = 0; i < 5; i++)
            {
                heavy.Add(client.GetAsync("/enrich", ct));
                await WaitingAsync(limiter, i + 1);
            }
        }

        Task<HttpResponseMessage> light;
        using (ProviderCallOrg.Enter("org-b"))
        {
            light = client.GetAsync("/enrich", ct);
            await WaitingAsync(limiter, 6);
        }

        // One token a second (a little over, at 99% of the limit): org-a's first call, then org-b's, not org-a's five.
        time.Advance(TimeSpan.FromSeconds(1.02));
        using var first = await heavy[0].WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.False(light.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1.02));
        using var second = await light.WaitAsync(TimeSpan.FromSeconds(30), ct);
        Assert.Equal(1, heavy.Count(t => t.IsCompleted));
        Assert.Equal(4, limiter.Snapshot().Waiting);
        Assert.Null(ProviderCallOrg.Current);

        for (var i = 1; i < heavy.Count; i++)
        {
            time.Advance(TimeSpan.FromSeconds(1.02));
            using var next = await heavy[i].WaitAsync(TimeSpan.FromSeconds(30), ct);
        }
    }

    /// <summary>Waits (on the real clock, briefly) until <paramref name="count"/> requests wait for a token.</summary>
    private static async Task WaitingAsync(ProviderLimiter limiter, int count)
    {
        for (var i = 0; i < 3000 && limiter.Snapshot().Waiting < count; i++)
        {
            await Task.Delay(1, TestContext.Current.CancellationToken);
        }

        Assert.Equal(count, limiter.Snapshot().Waiting);
    }

    private static ProviderLimiter Limiter(FakeTimeProvider time, int requestsPerMinute) =>
        new("p", new ProviderLimits(requestsPerMinute, 0, TimeSpan.FromMinutes(1), 1m), time);

    private static HttpClient Client(ProviderLimiter limiter, HttpMessageHandler network) =>
        new(new ProviderRateHandler(limiter) { InnerHandler = network }) { BaseAddress = new Uri("http://provider.test") };

    private static HttpResponseMessage TooManyRequests(RetryConditionHeaderValue? retryAfter)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = retryAfter;
        return response;
    }

    /// <summary>The network: answers every request with the next response it is given and counts the calls.</summary>
    private sealed class StubNetwork(Func<HttpResponseMessage> answer) : HttpMessageHandler
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Task.FromResult(answer());
        }
    }
}
