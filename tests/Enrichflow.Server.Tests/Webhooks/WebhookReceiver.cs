using System.Collections.Concurrent;
using System.Text.Json;
using Enrichflow.Providers.Outbound;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Server.Tests.Webhooks;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its headers, raw body and when it arrived.</summary>
public sealed record ReceivedDelivery(DateTimeOffset At, IReadOnlyDictionary<string, string> Headers, byte[] Body, int AnsweredWith)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public string EventId => Header("Sixtyfour-Event-Id")!;

    public int Attempt => int.Parse(Header("Sixtyfour-Delivery-Attempt")!, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>True when the signature header verifies with <paramref name="secret"/> now, as a receiver checks it.</summary>
    public bool VerifiesWith(string secret) =>
        Header(WebhookSignature.HeaderName) is { } header && WebhookSignature.Verify(header, Body, secret, DateTimeOffset.UtcNow);
}

/// <summary>
/// A real receiver on a loopback port: records every request (raw body and headers) and answers with what
/// <c>answer</c> says for the n-th request (1-based): a status code, optionally after a delay, with extra headers.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedDelivery> _received = new();
    private int _count;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public string Url => BaseUrl + "/hooks/enrichflow?token=abc";

    /// <summary>What the receiver answers to request n (1-based); 200 by default.</summary>
    public Func<int, ReceiverAnswer> Answer { get; set; } = _ => new ReceiverAnswer(200);

    public IReadOnlyList<ReceivedDelivery> Received => [.. _received];

    public static async Task<WebhookReceiver> StartAsync(Func<int, ReceiverAnswer>? answer = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        if (answer is not null)
        {
            receiver.Answer = answer;
        }

        app.Run(receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var n = Interlocked.Increment(ref _count);
        var answer = Answer(n);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _received.Enqueue(new ReceivedDelivery(DateTimeOffset.UtcNow, headers, body.ToArray(), answer.Status));
        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        await context.Response.WriteAsync("ok", context.RequestAborted);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived; returns them.</summary>
    public async Task<IReadOnlyList<ReceivedDelivery>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (_received.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the receiver got {_received.Count} of {count} requests in time");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }

        return Received;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

public sealed record ReceiverAnswer(int Status, TimeSpan Delay = default, IReadOnlyDictionary<string, string>? Headers = null);
