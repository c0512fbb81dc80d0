using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Fakes;

/// <summary>
/// A site on 127.0.0.1 whose every page redirects: <c>GET /go?to=URL</c> answers 302 to URL, so a test can send a
/// fetcher from an allowed address to any other (a private one, or another fake's page) and see what it follows.
/// </summary>
public sealed class FakeRedirector : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeRedirector(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The URL that redirects to <paramref name="target"/>.</summary>
    public Uri To(string target) => new(BaseUrl, $"go?to={Uri.EscapeDataString(target)}");

    /// <summary>How many requests reached it.</summary>
    public int Requests => Volatile.Read(ref _requests);

    private int _requests;

    /// <param name="everythingTo">
    /// When given, every other request (any method and path) answers 302 to the same path and query under this
    /// base URL: a provider's <c>BaseUrl</c> that moved, to see whether a client follows it with its key.
    /// </param>
    public static async Task<FakeRedirector> StartAsync(CancellationToken cancellationToken, Uri? everythingTo = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        FakeRedirector? redirector = null;
        app.Use((http, next) =>
        {
            Interlocked.Increment(ref redirector!._requests);
            return next(http);
        });
        app.MapGet("/go", (HttpContext http) =>
        {
            http.Response.StatusCode = StatusCodes.Status302Found;
            http.Response.Headers.Location = http.Request.Query["to"].ToString();
            return Task.CompletedTask;
        });
        if (everythingTo is not null)
        {
            app.MapFallback((HttpContext http) =>
            {
                http.Response.StatusCode = StatusCodes.Status302Found;
                http.Response.Headers.Location = new Uri(everythingTo, http.Request.Path.Value!.TrimStart('/') + http.Request.QueryString).AbsoluteUri;
                return Task.CompletedTask;
            });
        }

        redirector = new FakeRedirector(app);
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        redirector.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return redirector;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
