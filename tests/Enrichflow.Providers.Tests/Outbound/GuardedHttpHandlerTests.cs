using System.Net;
using Enrichflow.Providers.Outbound;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Providers.Tests.Outbound;

public sealed class GuardedHttpHandlerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_request_to_a_loopback_receiver_is_refused_at_connect_when_loopback_is_not_allowed()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        using var client = new HttpClient(GuardedHttpHandler.Create(new OutboundGuard(new OutboundOptions())));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(receiver.BaseUrl + "/hook", Ct));

        var refusal = Assert.IsType<OutboundRefusedException>(error.InnerException);
        Assert.Equal($"Outbound URL {receiver.BaseUrl}/ is refused: 127.0.0.1 is a loopback address; allow it with Outbound:Allow.", refusal.Message);
        Assert.True(OutboundRefusedException.IsRefusal(error));
        Assert.Equal(0, receiver.Requests);
    }

    [Fact]
    public async Task A_request_to_a_loopback_receiver_goes_through_when_127_0_0_1_is_allowed()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        using var client = new HttpClient(GuardedHttpHandler.Create(new OutboundGuard(new OutboundOptions { Allow = ["127.0.0.1/32"] })));

        var response = await client.GetAsync(receiver.BaseUrl + "/hook", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(1, receiver.Requests);
    }

    [Fact]
    public async Task A_name_that_rebinds_to_loopback_after_the_check_is_refused_at_connect()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();
        var port = new Uri(receiver.BaseUrl).Port;
        var lookups = 0;
        var guard = new OutboundGuard(new OutboundOptions(), (_, _) => ValueTask.FromResult(
            Interlocked.Increment(ref lookups) == 1 ? [IPAddress.Parse("93.184.216.34")] : new[] { IPAddress.Loopback }));
        var url = new Uri($"http://rebind.example:{port}/hook");

        var check = await guard.CheckAsync(url, Ct);
        Assert.True(check.IsAllowed);

        using var client = new HttpClient(GuardedHttpHandler.Create(guard));
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(url, Ct));

        var refusal = Assert.IsType<OutboundRefusedException>(error.InnerException);
        Assert.Equal($"Outbound URL http://rebind.example:{port}/ is refused: rebind.example resolves to 127.0.0.1, a loopback address; allow it with Outbound:Allow.", refusal.Message);
        Assert.Equal(0, receiver.Requests);
    }

    [Fact]
    public async Task The_registered_outbound_client_uses_the_guard_and_its_allow_list()
    {
        await using var receiver = await LoopbackReceiver.StartAsync();

        await using (var refusing = new ServiceCollection().AddEnrichflowOutbound().BuildServiceProvider())
        {
            using var client = refusing.GetRequiredService<IHttpClientFactory>().CreateClient(OutboundServiceCollectionExtensions.HttpClientName);
            var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(receiver.BaseUrl, Ct));
            Assert.IsType<OutboundRefusedException>(error.InnerException);
        }

        await using (var allowing = new ServiceCollection().AddEnrichflowOutbound(o => o.Allow.Add("127.0.0.1/32")).BuildServiceProvider())
        {
            using var client = allowing.GetRequiredService<IHttpClientFactory>().CreateClient(OutboundServiceCollectionExtensions.HttpClientName);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(receiver.BaseUrl, Ct)).StatusCode);
        }

        Assert.Equal(1, receiver.Requests);
    }

    [Fact]
    public void The_registered_options_are_validated_with_every_problem()
    {
        using var services = new ServiceCollection().AddEnrichflowOutbound(o => o.Allow.AddRange(["10.0.0.0/99", "::1/200"])).BuildServiceProvider();

        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<OutboundOptions>>().Value);

        Assert.Equal(2, error.Failures.Count());
    }
}
