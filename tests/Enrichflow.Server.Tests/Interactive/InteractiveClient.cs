using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Interactive;

/// <summary>The calls of docs/api.md §12 as a client makes them, over one test server.</summary>
internal sealed class InteractiveClient(TestServer server, HttpClient? client = null)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private HttpClient Client => client ?? server.Client;

    public async Task<string> StartAsync(object body)
    {
        var (status, json) = await PostAsync("/workflows/interactive/start", body);
        Assert.True(status == HttpStatusCode.OK, $"start answered {(int)status}: {json}");
        return json.GetProperty("job_id").GetString()!;
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object? body)
    {
        using var response = body is null ? await Client.PostAsync(path, null, Ct) : await Client.PostAsJsonAsync(path, body, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<(HttpStatusCode Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<JsonElement> AddBlockAsync(string jobId, string blockName, object specs, string parent)
    {
        var (status, json) = await PostAsync($"/workflows/interactive/{jobId}/add-block", new { block_name = blockName, specs, parent_block_id = parent });
        Assert.True(status == HttpStatusCode.OK, $"add-block answered {(int)status}: {json}");
        return json;
    }

    public async Task<string> AddAcceptedAsync(string jobId, string blockName, object specs, string parent)
    {
        var answer = await AddBlockAsync(jobId, blockName, specs, parent);
        Assert.True(answer.GetProperty("accepted").GetBoolean(), $"block {blockName} was refused: {answer}");
        return answer.GetProperty("block_id").GetString()!;
    }

    public async Task<JsonElement> StateAsync(string jobId)
    {
        var (status, json) = await GetAsync($"/workflows/interactive/{jobId}/state");
        Assert.True(status == HttpStatusCode.OK, $"state answered {(int)status}: {json}");
        return json;
    }

    /// <summary>Polls the session's state until the block has completed.</summary>
    public async Task<JsonElement> WaitForBlockAsync(string jobId, string blockId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var state = await StateAsync(jobId);
            var block = state.GetProperty("blocks").EnumerateArray().FirstOrDefault(b => b.GetProperty("block_id").GetString() == blockId);
            if (block.ValueKind == JsonValueKind.Object && block.GetProperty("status").GetString() == "completed")
            {
                return block;
            }

            Assert.True(DateTime.UtcNow < deadline, $"block {blockId} of session {jobId} did not complete in time; last state {state}");
            await Task.Delay(50, Ct);
        }
    }

    public async Task<JsonElement> OutputAsync(string jobId, string blockId)
    {
        var (status, json) = await GetAsync($"/workflows/interactive/{jobId}/output?block_id={blockId}");
        Assert.True(status == HttpStatusCode.OK, $"output answered {(int)status}: {json}");
        return json;
    }
}
