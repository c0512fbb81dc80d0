using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

public sealed class OperationsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Health_and_readiness_answer_without_a_key()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.NewClient(null);
        Assert.Equal("ok", (await anonymous.GetFromJsonAsync<JsonElement>("/healthz", Ct)).GetProperty("status").GetString());
        var ready = await anonymous.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.Equal("ready", ready.GetProperty("status").GetString());
        Assert.True(ready.GetProperty("store").GetBoolean());
        Assert.True(ready.GetProperty("blob_store").GetBoolean());
    }

    [Fact]
    public async Task The_openapi_document_lists_the_workflows_api_and_the_docs_page_renders_it()
    {
        await using var server = await TestServer.StartAsync();
        using var anonymous = server.NewClient(null);
        var document = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json", Ct);
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/workflows", "/workflows/create_workflow", "/workflows/run", "/workflows/runs/{run_id}/live_status", "/workflows/cancel", "/workflows/runs/{run_id}/results/download-links", "/storage/csv/upload", "/downloads/{token}", "/workflows/estimate", "/workflows/resume", "/usage" })
        {
            Assert.Contains(path, paths);
        }

        var docs = await anonymous.GetAsync("/docs", Ct);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("openapi/v1.json", await docs.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task First_start_writes_the_initial_key_readable_only_by_its_owner()
    {
        await using var server = await TestServer.StartAsync();
        var path = Path.Combine(server.DataDirectory, "initial-api-key");
        Assert.Equal(server.ApiKey, (await File.ReadAllTextAsync(path, Ct)).Trim());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public async Task A_key_over_its_request_rate_gets_429_with_retry_after_and_other_keys_do_not()
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Limits:RequestsPerSecondPerKey"] = "1",
            ["Limits:BurstPerKey"] = "3",
        });
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await server.Client.GetAsync("/workflows", Ct)).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        var limited = await server.Client.GetAsync("/workflows", Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
        Assert.Contains("Too many requests", (await limited.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var other = server.NewClient(await server.CreateKeyAsync("acme"));
        Assert.Equal(HttpStatusCode.OK, (await other.GetAsync("/workflows", Ct)).StatusCode);
    }
}
