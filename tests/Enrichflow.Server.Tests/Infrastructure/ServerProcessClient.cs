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
}
