using Enrichflow.Client;
using Enrichflow.Hosting;
using Enrichflow.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Client.Tests.Infrastructure;

/// <summary>
/// A real Enrichflow server (Kestrel on a loopback port) over a temporary data directory, as
/// tests/Enrichflow.Server.Tests/Infrastructure/TestServer.cs starts it, with a typed client for its default organization.
/// </summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromMinutes(5) };

    private LoopbackServer(WebApplication app, string dataDirectory, string baseUrl, string apiKey)
    {
        _app = app;
        DataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        Client = NewClient(apiKey);
    }

    public string DataDirectory { get; }

    public string BaseUrl { get; }

    /// <summary>The key of org <c>default</c>, which the server made at its first start.</summary>
    public string ApiKey { get; }

    /// <summary>A client sending <see cref="ApiKey"/>, polling every 50 ms.</summary>
    public EnrichflowClient Client { get; }

    public static async Task<LoopbackServer> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "enrichflow-client-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var overrides = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase);
        overrides.TryAdd("Engine:PollInterval", "00:00:00.100");
        overrides.TryAdd("Logging:LogLevel:Default", "Warning");
        var app = EnrichflowApp.Build(new ServeSettings("http://127.0.0.1:0", dataDirectory), null, overrides);
        var key = await EnrichflowApp.PrepareAsync(app, TestContext.Current.CancellationToken)
            ?? throw new InvalidOperationException("a new data directory should have given an initial key");
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackServer(app, dataDirectory, address.TrimEnd('/'), key);
    }

    public EnrichflowClient NewClient(string apiKey) =>
        new(_http, new EnrichflowClientOptions { BaseAddress = new Uri(BaseUrl), ApiKey = apiKey, PollInterval = TimeSpan.FromMilliseconds(50) });

    /// <summary>A key of another organization, as <c>enrichflow keys create</c> makes it.</summary>
    public Task<string> CreateKeyAsync(string org, bool readOnly = false) =>
        ApiKeys.CreateAsync(_app.Services.GetRequiredService<Core.Storage.IAccountStore>(), org, readOnly, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
