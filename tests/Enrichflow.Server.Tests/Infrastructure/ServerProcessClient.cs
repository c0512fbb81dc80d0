using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>The API calls the crash tests make against a <see cref="ServerProcess"/>, with the key the server wrote into its data directory.</summary>
public static class ServerProcessClient
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A client of the server at <paramref name="baseUrl"/> with the initial key of <paramref name="dataDirectory"/>.</summary>
    public static HttpClient Create(string baseUrl, string dataDirectory)
    {
        var http = new HttpClient { BaseAddress = new Uri(baseUrl), Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Add("x-api-key", File.ReadAllText(Path.Combine(dataDirectory, "initial-api-key")).Trim());
        return http;
    }

    public static async Task<string> CreateWorkflowAsync(HttpClient http, string name, string definition)
    {
        var response = await http.PostAsJsonAsync("/workflows/create_workflow",
            new JsonObject { ["workflow_name"] = name, ["workflow_definition"] = JsonNode.Parse(definition) }, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Uploads the CSV file at <paramref name="path"/> as <c>leads.csv</c>; returns its handle.</summary>
    public static async Task<string> UploadAsync(HttpClient http, string path)
    {
        using var form = new MultipartFormDataContent();
        await using var file = File.OpenRead(path);
        form.Add(new StreamContent(file), "file", "leads.csv");
        var response = await http.PostAsync("/storage/csv/upload", form, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("handle_id").GetString()!;
    }

    /// <summary>A new, empty data directory for a server process under the temp directory's <c>enrichflow-crash</c>.</summary>
    public static string NewDataDirectory()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-crash", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        return data;
    }

    /// <summary>Writes a UTF-8 CSV file (no BOM): the header line, then each of <paramref name="lines"/>.</summary>
    public static async Task WriteCsvAsync(string path, string header, IEnumerable<string> lines)
    {
        await using var writer = new StreamWriter(path, false, new System.Text.UTF8Encoding(false));
        await writer.WriteAsync(header + "\n");
        foreach (var line in lines)
        {
            await writer.WriteAsync(line + "\n");
        }
    }

    /// <summary>Uploads <paramref name="csv"/> and starts a run of <paramref name="workflow"/> over it; returns the run id.</summary>
    public static async Task<string> StartUploadRunAsync(HttpClient http, string workflow, string csv)
    {
        var handle = await UploadAsync(http, csv);
        var started = await http.PostAsJsonAsync($"/workflows/run?workflow_id={workflow}", new { specs_override = new { resource_handle_id = handle } }, Ct);
        return (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString()!;
    }

    /// <summary>
    /// Polls the run's live status until <paramref name="ready"/> holds, asserting on the way that the run has not
    /// ended (a run that ends first could not be killed in the middle); returns the status that satisfied it.
    /// </summary>
    public static async Task<JsonElement> WaitWhileRunningAsync(HttpClient http, string runId, Func<JsonElement, bool> ready)
    {
        while (true)
        {
            var live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            Assert.Contains(live.GetProperty("overall_status").GetString(), new[] { "queued", "running" });
            if (ready(live))
            {
                return live;
            }

            await Task.Delay(25, Ct);
        }
    }

    /// <summary>Polls a resumed run's live status until it leaves queued and running (at most 3 minutes); returns the last status.</summary>
    public static async Task<JsonElement> WaitForEndAsync(HttpClient http, string runId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        JsonElement live;
        do
        {
            Assert.True(DateTime.UtcNow < deadline, "the resumed run did not finish in time");
            await Task.Delay(200, Ct);
            live = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
        }
        while (live.GetProperty("overall_status").GetString() is "queued" or "running");

        return live;
    }
}
