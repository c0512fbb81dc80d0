using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Fakes;

/// <summary>
/// A Slack incoming-webhook endpoint on 127.0.0.1: <c>POST /services/{hook}</c> takes <c>{"text", "blocks"}</c>, records
/// each message with the time it arrived, and answers <c>ok</c>, or the replies scripted with <see cref="Script"/>
/// first (a 429 with <c>Retry-After</c>, a 500).
/// </summary>
public sealed class FakeSlackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<SlackMessage> _messages = [];
    private readonly Queue<(int Status, int? RetryAfterSeconds)> _script = new();

    private FakeSlackServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Every POST that arrived, in order, answered or not.</summary>
    public IReadOnlyList<SlackMessage> Messages
    {
        get { lock (_gate) { return [.. _messages]; } }
    }

    /// <summary>The messages that were answered <c>ok</c>.</summary>
    public IReadOnlyList<SlackMessage> Delivered => [.. Messages.Where(m => m.Status == 200)];

    public Uri WebhookUrl(string hook) => new(BaseUrl, $"services/{hook}");

    public static async Task<FakeSlackServer> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeSlackServer(app);
        app.MapPost("/services/{**hook}", server.ReceiveAsync);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Replies given to the next POSTs, in order, before normal <c>ok</c> answers.</summary>
    public void Script(params (int Status, int? RetryAfterSeconds)[] replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        lock (_gate)
        {
            foreach (var reply in replies)
            {
                _script.Enqueue(reply);
            }
        }
    }

    private async Task ReceiveAsync(HttpContext http)
    {
        var body = await new StreamReader(http.Request.Body).ReadToEndAsync(http.RequestAborted);
        var hook = http.Request.RouteValues["hook"]?.ToString() ?? "";
        int status;
        int? retryAfter;
        lock (_gate)
        {
            (status, retryAfter) = _script.TryDequeue(out var scripted) ? scripted : (200, null);
            _messages.Add(new SlackMessage(hook, DateTimeOffset.UtcNow, JsonNode.Parse(body)!.AsObject(), status));
        }

        http.Response.StatusCode = status;
        if (retryAfter is { } seconds)
        {
            http.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        http.Response.ContentType = "text/plain";
        await http.Response.WriteAsync(status switch { 200 => "ok", 429 => "rate_limited", 404 => "no_service", _ => "server_error" }, http.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One POST to the fake Slack: the hook it went to, when it arrived, its body and the status it was answered.</summary>
public sealed record SlackMessage(string Hook, DateTimeOffset ArrivedAt, JsonObject Body, int Status)
{
    public string Text => Body["text"]?.GetValue<string>() ?? "";
}
