using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>A real Enrichflow server (Kestrel on a loopback port) over a temporary data directory.</summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private TestServer(WebApplication app, string dataDirectory, string baseUrl, string? apiKey, bool ownsDirectory)
    {
        _app = app;
        DataDirectory = dataDirectory;
        BaseUrl = baseUrl;
        ApiKey = apiKey ?? "";
        _ownsDirectory = ownsDirectory;
        Client = NewClient(apiKey);
    }

    public string DataDirectory { get; }

    public string BaseUrl { get; }

    /// <summary>The key of org <c>default</c> when this server created it (an existing store may have none).</summary>
    public string ApiKey { get; }

    /// <summary>A client sending the default organization's key.</summary>
    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="services">Registrations that replace the server's own (added after them), e.g. a service on a fake clock.</param>
    public static async Task<TestServer> StartAsync(IDictionary<string, string?>? settings = null, string? dataDirectory = null, Action<IServiceCollection>? services = null)
    {
        var owns = dataDirectory is null;
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        var overrides = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>(), StringComparer.OrdinalIgnoreCase);
        overrides.TryAdd("Engine:PollInterval", "00:00:00.100");
        var app = EnrichflowApp.Build(new ServeSettings("http://127.0.0.1:0", dataDirectory), services is null ? null : b => services(b.Services), overrides);
        var keyFile = Path.Combine(dataDirectory, "initial-api-key");
        var key = await EnrichflowApp.PrepareAsync(app, TestContext.Current.CancellationToken)
            ?? (File.Exists(keyFile) ? (await File.ReadAllTextAsync(keyFile, TestContext.Current.CancellationToken)).Trim() : null);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestServer(app, dataDirectory, address.TrimEnd('/'), key, owns);
    }

    public HttpClient NewClient(string? apiKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(5) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("x-api-key", apiKey);
        }

        return client;
    }

    /// <summary>Creates a key for another organization, as <c>enrichflow keys create</c> does.</summary>
    public async Task<string> CreateKeyAsync(string org, bool readOnly = false) =>
        await Enrichflow.Hosting.ApiKeys.CreateAsync(_app.Services.GetRequiredService<Core.Storage.IAccountStore>(), org, readOnly, DateTimeOffset.UtcNow, TestContext.Current.CancellationToken);

    public async Task<string> CreateWorkflowAsync(string definitionJson, string? id = null, HttpClient? client = null)
    {
        var body = new JsonObject
        {
            ["workflow_name"] = "test",
            ["workflow_description"] = "a test workflow",
            ["workflow_definition"] = JsonNode.Parse(definitionJson),
        };
        if (id is not null)
        {
            body["id"] = id;
        }

        var response = await (client ?? Client).PostAsJsonAsync("/workflows/create_workflow", body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"create_workflow answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    public async Task<string> StartRunAsync(string workflowId, object body, string query = "")
    {
        var response = await Client.PostAsJsonAsync($"/workflows/run?workflow_id={workflowId}{query}", body, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"run answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("job_id").GetString()!;
    }

    public async Task<string> UploadAsync(string fileName, byte[] content)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        var response = await Client.PostAsync("/storage/csv/upload", form, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"upload answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("handle_id").GetString()!;
    }

    /// <summary>Polls live status until the run ends; returns the last status document.</summary>
    public Task<JsonElement> WaitForRunAsync(string runId, TimeSpan? timeout = null) =>
        WaitForStatusAsync(runId, timeout, "completed", "failed", "cancelled");

    /// <summary>Polls live status until the run is in one of <paramref name="statuses"/> (e.g. paused); returns the last status document.</summary>
    public async Task<JsonElement> WaitForStatusAsync(string runId, TimeSpan? timeout, params string[] statuses)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var live = await Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", TestContext.Current.CancellationToken);
            var status = live.GetProperty("overall_status").GetString();
            if (statuses.Contains(status))
            {
                return live;
            }

            Assert.True(DateTime.UtcNow < deadline, $"run {runId} did not reach {string.Join(" or ", statuses)} in time; last status {live}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    /// <param name="includeRejects">Lists <c>rejects.ndjson</c> first, when the run has one (<c>include_rejects=true</c>).</param>
    public async Task<JsonElement> DownloadLinksAsync(string runId, string format = "csv", bool includeRejects = false)
    {
        var query = includeRejects ? "&include_rejects=true" : "";
        var response = await Client.GetAsync($"/workflows/runs/{runId}/results/download-links?format={format}{query}", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"download-links answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Downloads the final output file (the last link) in the given format.</summary>
    public async Task<string> DownloadFinalAsync(string runId, string format = "csv")
    {
        var links = await DownloadLinksAsync(runId, format);
        var url = links.EnumerateArray().Last().GetProperty("download_url").GetString()!;
        using var anonymous = new HttpClient();
        return await anonymous.GetStringAsync(url, TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
        if (_ownsDirectory)
        {
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
}
