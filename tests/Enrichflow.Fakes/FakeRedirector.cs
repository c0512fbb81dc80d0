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

    public static async Task<FakeRedirector> StartAsync(CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.MapGet("/go", (HttpContext http) =>
        {
            http.Response.StatusCode = StatusCodes.Status302Found;
            http.Response.Headers.Location = http.Request.Query["to"].ToString();
            return Task.CompletedTask;
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new FakeRedirector(app) { BaseUrl = new Uri(address.TrimEnd('/') + "/") };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
