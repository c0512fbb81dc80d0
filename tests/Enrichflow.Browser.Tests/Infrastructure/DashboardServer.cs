using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Browser.Tests.Infrastructure;

/// <summary>A real Enrichflow server (Kestrel on a loopback port, the dashboard at <c>/</c>) over a temporary data directory.</summary>
public sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, string dataDirectory, string baseUrl, string apiKey)
    {
        _app = app;
        DataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        ApiKey = apiKey;
        Client = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        Client.DefaultRequestHeaders.Add("x-api-key", apiKey);
    }

    public string DataDirectory { get; }

    /// <summary><c>http://127.0.0.1:PORT</c>, no trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>The key of org <c>default</c>, created on first start.</summary>
    public string ApiKey { get; }

    /// <summary>A client sending <see cref="ApiKey"/>, for arranging what a test needs besides the browser.</summary>
    public HttpClient Client { get; }

    public static async Task<DashboardServer> StartAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "enrichflow-browser-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        // Loopback allowed outbound: the tests' own receivers (an export destination that never answers) live there.
        var overrides = new Dictionary<string, string?> { ["Engine:PollInterval"] = "00:00:00.100", ["Outbound:Allow:0"] = "127.0.0.1/32" };
        var app = EnrichflowApp.Build(new ServeSettings("http://127.0.0.1:0", dataDirectory), overrides: overrides);
        var key = await EnrichflowApp.PrepareAsync(app, cancellationToken)
            ?? throw new InvalidOperationException("A new data directory should have given org 'default' a key.");
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, dataDirectory, address.TrimEnd('/'), key);
    }

    /// <summary>Creates a workflow through the API; returns its id.</summary>
    public async Task<string> CreateWorkflowAsync(string name, string definitionJson, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["workflow_name"] = name, ["workflow_definition"] = JsonNode.Parse(definitionJson) };
        var response = await Client.PostAsJsonAsync("/workflows/create_workflow", body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"create_workflow answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
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
