using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Server.Tests.Export;

/// <summary>
/// An export destination on a loopback port (real Kestrel): records every request it receives (headers, body,
/// time) by <c>Idempotency-Key</c>, and answers what <see cref="Answer"/> says (200 by default), after
/// <see cref="Delay"/>. The way a real receiver dedupes is by key: <see cref="Batches"/> keeps the first body of each key.
/// </summary>
public sealed class ExportReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ExportRequest> _requests = new();
    private readonly ConcurrentDictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ExportRequest> _batches = new(StringComparer.Ordinal);

    private ExportReceiver(WebApplication app) => _app = app;

    /// <summary>The URL to export to.</summary>
    public string Url { get; private set; } = "";

    /// <summary>How long to wait before answering each request.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The answer to a request given its key's attempt number (1 for the first); null answers 200.</summary>
    public Func<ExportRequest, int, ExportAnswer?>? Answer { get; set; }

    /// <summary>Every request received, in arrival order.</summary>
    public IReadOnlyList<ExportRequest> Requests => [.. _requests];

    /// <summary>The first body of each key that was answered 2xx, by key.</summary>
    public IReadOnlyDictionary<string, ExportRequest> Batches => _batches;

    /// <summary>Keys that arrived more than once.</summary>
    public IReadOnlyList<string> RepeatedKeys => [.. _attempts.Where(a => a.Value > 1).Select(a => a.Key)];

    public int BatchCount => _batches.Count;

    public static async Task<ExportReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new ExportReceiver(app);
        app.MapPost("/export", receiver.HandleAsync);
        await app.StartAsync(TestContext.Current.CancellationToken);
        receiver.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/export";
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        var request = new ExportRequest(
            key,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            body.RootElement.Clone(),
            DateTimeOffset.UtcNow);
        _requests.Enqueue(request);
        var attempt = _attempts.AddOrUpdate(key, 1, (_, n) => n + 1);
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay, context.RequestAborted);
        }

        var answer = Answer?.Invoke(request, attempt) ?? new ExportAnswer(200, "ok");
        if (answer.Status is >= 200 and < 300)
        {
            _batches.TryAdd(key, request);
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        await context.Response.WriteAsync(answer.Body, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

/// <summary>One request as the receiver saw it.</summary>
public sealed record ExportRequest(string Key, IReadOnlyDictionary<string, string> Headers, JsonElement Body, DateTimeOffset ReceivedAt)
{
    public long Batch => Body.GetProperty("batch").GetInt64();

    public JsonElement[] Rows => [.. Body.GetProperty("rows").EnumerateArray()];
}

/// <summary>What the receiver answers.</summary>
public sealed record ExportAnswer(int Status, string Body = "", string? RetryAfter = null);
