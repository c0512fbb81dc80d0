using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.BadInput;

/// <summary>
/// What the bad-input tests share (one test per bad input, docs/api.md §1, §3, §4): the documented status, a message naming
/// the place (field, line or index), nothing lost or queued, and other runs unaffected.
/// </summary>
internal static class BadInputKit
{
    public const string GoodCsvHeader = "name,score\n";

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Asserts the status and a <c>{"detail": "..."}</c> body holding every fragment; returns the detail.</summary>
    public static async Task<string> AssertDetailAsync(HttpResponseMessage response, HttpStatusCode expected, params string[] fragments)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        var detail = JsonDocument.Parse(text).RootElement.GetProperty("detail");
        Assert.True(detail.ValueKind == JsonValueKind.String, $"detail is not a sentence: {text}");
        var sentence = detail.GetString()!;
        foreach (var fragment in fragments)
        {
            Assert.True(sentence.Contains(fragment, StringComparison.OrdinalIgnoreCase), $"detail does not name '{fragment}': {sentence}");
        }

        Assert.DoesNotContain("   at ", sentence, StringComparison.Ordinal);
        return sentence;
    }

    /// <summary>Asserts a 422 in FastAPI's shape and returns its first item.</summary>
    public static async Task<JsonElement> AssertUnprocessableAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"expected 422, got {(int)response.StatusCode}: {text}");
        var item = JsonDocument.Parse(text).RootElement.GetProperty("detail")[0].Clone();
        Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("msg").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(item.GetProperty("type").GetString()));
        return item;
    }

    public static async Task<HttpResponseMessage> PostRunRawAsync(TestServer server, string workflow, string json, string query = "", string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}{query}")
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await server.Client.SendAsync(request, Ct);
    }

    public static async Task<HttpResponseMessage> UploadRawAsync(TestServer server, string fileName, byte[] content, HttpClient? client = null)
    {
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(content), "file", fileName);
        return await (client ?? server.Client).PostAsync("/storage/csv/upload", form, Ct);
    }

    public static async Task<int> RunCountAsync(TestServer server) =>
        (await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct)).GetArrayLength();

    /// <summary>Files under the blob store's <paramref name="folder"/> (and any temp file left behind).</summary>
    public static List<string> StoredFiles(TestServer server, string folder)
    {
        var root = Path.Combine(server.DataDirectory, "blobs");
        return [.. new[] { folder, ".tmp" }
            .Select(f => Path.Combine(root, f))
            .Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories))];
    }

    public static byte[] Bytes(params object[] parts)
    {
        using var memory = new MemoryStream();
        foreach (var part in parts)
        {
            var bytes = part switch
            {
                string s => Encoding.UTF8.GetBytes(s),
                byte[] b => b,
                _ => throw new ArgumentException("string or byte[]", nameof(parts)),
            };
            memory.Write(bytes);
        }

        return memory.ToArray();
    }
}
