using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>
/// <c>Idempotency-Key</c> on <c>POST /workflows/run</c> (docs/api.md §3) against a real server process: the key is
/// reserved in the transaction that records the run, so racing duplicates and a SIGKILL in the middle start one run
/// (issue 11 item 3: 20 concurrent starts with one key used to start 2).
/// </summary>
public sealed class IdempotencyTests
{
    private const int Starts = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Twenty_concurrent_starts_with_one_key_start_one_run_and_all_name_it()
    {
        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data);
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "idempotent", Definitions.WebhookOnly);
        var body = Body(rows: 2_000);

        var answers = await Task.WhenAll(Enumerable.Range(0, Starts).Select(_ => StartAsync(http, workflow, "nightly-2026-12-02", body)));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.Body));
        var runId = Assert.Single(answers.Select(a => a.JobId).Distinct());
        Assert.Equal(Starts - 1, answers.Count(a => a.AlreadyStarted));
        Assert.Equal([runId], await ListRunIdsAsync(http));
        // The losers' payloads were stored as they arrived and are freed: only the run's own input remains (or none, once it is cleaned up).
        Assert.True(PayloadFiles(data).Length <= 1, string.Join(", ", PayloadFiles(data)));
        Assert.Equal("completed", (await ServerProcessClient.WaitForEndAsync(http, runId!)).GetProperty("overall_status").GetString());
    }

    [Fact]
    public async Task Concurrent_starts_with_one_key_cut_by_sigkill_leave_one_run_after_restart()
    {
        var data = ServerProcessClient.NewDataDirectory();
        var port = ServerProcess.FreePort();
        var body = Body(rows: 5_000);
        const string key = "import-batch-7";
        string workflow;
        string firstRunId;
        await using (var first = await ServerProcess.StartAsync(data, port: port))
        {
            using var http = ServerProcessClient.Create(first.BaseUrl, data);
            workflow = await ServerProcessClient.CreateWorkflowAsync(http, "idempotent", Definitions.WebhookOnly);
            var starts = Enumerable.Range(0, Starts).Select(_ => TryStartAsync(http, workflow, key, body)).ToList();

            // Killed as soon as one start has answered, while the others are still being read or recorded.
            var firstAnswer = await await Task.WhenAny(starts);
            await first.KillAsync();
            Assert.NotNull(firstAnswer);
            Assert.True(firstAnswer.Status == HttpStatusCode.OK, firstAnswer.Body);
            firstRunId = firstAnswer.JobId!;
            var answered = (await Task.WhenAll(starts)).OfType<Answer>().ToList();
            Assert.All(answered, a => Assert.Equal(firstRunId, a.JobId));
        }

        await using (var second = await ServerProcess.StartAsync(data, port: port))
        {
            using var http = ServerProcessClient.Create(second.BaseUrl, data);
            var again = await StartAsync(http, workflow, key, body);

            Assert.True(again.Status == HttpStatusCode.OK, again.Body);
            Assert.Equal(firstRunId, again.JobId);
            Assert.True(again.AlreadyStarted);
            Assert.Equal([firstRunId], await ListRunIdsAsync(http));
            Assert.Equal("completed", (await ServerProcessClient.WaitForEndAsync(http, firstRunId)).GetProperty("overall_status").GetString());
        }
    }

    [Fact]
    public async Task Racing_starts_with_one_key_and_two_bodies_start_one_run_and_the_other_body_is_a_409()
    {
        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data);
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "idempotent", Definitions.WebhookOnly);
        string[] bodies = [Body(rows: 1_000), Body(rows: 1_001)];

        var answers = await Task.WhenAll(Enumerable.Range(0, Starts).Select(i => StartAsync(http, workflow, "shared", bodies[i % 2])));

        var runId = Assert.Single(await ListRunIdsAsync(http));
        var ok = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
        Assert.All(ok, a => Assert.Equal(runId, a.JobId));
        Assert.Single(ok, a => !a.AlreadyStarted);
        Assert.All(answers.Where(a => a.Status != HttpStatusCode.OK), a =>
        {
            Assert.Equal(HttpStatusCode.Conflict, a.Status);
            Assert.Contains("Idempotency-Key 'shared'", a.Body, StringComparison.Ordinal);
        });
        // Every request with the winning body answered 200, every one with the other body 409.
        Assert.Equal(Starts / 2, ok.Count);
    }

    /// <summary>A webhook body of <paramref name="rows"/> rows, large enough that racing requests overlap while the server reads them.</summary>
    private static string Body(int rows) =>
        JsonSerializer.Serialize(new { webhook_payload = Enumerable.Range(0, rows).Select(i => new { id = i, name = $"lead {i}", email = $"lead{i}@example.com" }) });

    private static async Task<Answer> StartAsync(HttpClient http, string workflow, string key, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", key);
        using var response = await http.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return new Answer(response.StatusCode, null, false, text);
        }

        var json = JsonDocument.Parse(text).RootElement;
        return new Answer(response.StatusCode, json.GetProperty("job_id").GetString(), json.GetProperty("already_started").GetBoolean(), text);
    }

    /// <summary>A start that the server's death may cut: null when no answer came.</summary>
    private static async Task<Answer?> TryStartAsync(HttpClient http, string workflow, string key, string body)
    {
        try
        {
            return await StartAsync(http, workflow, key, body);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return null;
        }
    }

    private static async Task<List<string?>> ListRunIdsAsync(HttpClient http) =>
        [.. (await http.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct)).EnumerateArray().Select(r => r.GetProperty("job_id").GetString())];

    private static string[] PayloadFiles(string data)
    {
        var runs = Path.Combine(data, "blobs", "runs");
        return Directory.Exists(runs) ? Directory.GetFiles(runs, "payload.json", SearchOption.AllDirectories) : [];
    }

    private sealed record Answer(HttpStatusCode Status, string? JobId, bool AlreadyStarted, string Body);
}
