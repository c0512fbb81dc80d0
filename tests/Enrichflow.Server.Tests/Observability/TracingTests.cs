using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Observability;

/// <summary>Spans of an enrichment run (run → unit → provider HTTP call, one trace whose id is the run id) and log lines that carry the run and unit.</summary>
public sealed class TracingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const string Definition = """
        {"blocks": [
          {"sequence_number": 1, "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_name": "enrich_company", "block_id": "enrich",
           "specs": {"company_field": "name", "website_field": "website", "provider": "s64", "return_fields": {"country": "Country"}}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}]}
        """;

    [Fact]
    public async Task A_run_is_one_trace_of_run_unit_and_provider_call_spans_under_the_run_id()
    {
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Enrichflow" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { HitPercent = 100 }, Ct);
        var settings = fake.ProviderConfiguration("s64", "sixtyfour");
        settings["Providers:s64:UseAsyncJobs"] = "false";
        settings["Engine:ChunkSize"] = "5";
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Enumerable.Range(0, 10).Select(i => new { name = $"C{i}", website = $"https://c{i}.example" }).ToArray() });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        // The run's span ends with the run; wait for it (it is stopped right after the run's status is written).
        var traceId = Guid.Parse(runId).ToString("N");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!spans.Any(s => s.OperationName == "enrichflow.run" && s.TraceId.ToHexString() == traceId))
        {
            Assert.True(DateTime.UtcNow < deadline, "the run's span never ended");
            await Task.Delay(20, Ct);
        }

        var trace = spans.Where(s => s.TraceId.ToHexString() == traceId).ToList();
        var run = Assert.Single(trace, s => s.OperationName == "enrichflow.run");
        Assert.Equal("completed", run.GetTagItem("enrichflow.status"));
        Assert.Equal(runId, run.GetTagItem("enrichflow.run_id"));
        var units = trace.Where(s => s.OperationName == "enrichflow.unit").ToList();
        Assert.NotEmpty(units);
        Assert.All(units, u => Assert.Equal(run.SpanId, u.ParentSpanId));
        Assert.Contains(units, u => (string?)u.GetTagItem("enrichflow.block_id") == "enrich");

        // Each call to the provider is an HTTP client span under the unit that made it.
        var calls = trace.Where(s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client && (s.GetTagItem("server.port") as int?) == fake.BaseUrl.Port).ToList();
        Assert.Equal(fake.TotalCalls, calls.Count);
        var unitIds = units.Where(u => (string?)u.GetTagItem("enrichflow.block_id") == "enrich").Select(u => u.SpanId).ToHashSet();
        Assert.All(calls, c => Assert.Contains(c.ParentSpanId, unitIds));
    }

    [Fact]
    public async Task Json_log_lines_logged_while_a_unit_runs_carry_its_run_and_unit()
    {
        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data, new Dictionary<string, string> { ["ENRICHFLOW_Logging__Format"] = "json" });
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "logs", """
            {"blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
                        {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """);
        var started = await http.PostAsync($"/workflows/run?workflow_id={workflow}",
            new StringContent("""{"webhook_payload": [{"email": "ada@example.com"}]}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var runId = JsonDocument.Parse(await started.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("job_id").GetString()!;

        // The source unit logs "source block ... produced N chunks" (event 2003) inside the unit's scope.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonElement? line = null;
        while (line is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"no source-done line for run {runId}:\n{server.Output}");
            line = server.Output.Split('\n').Where(l => l.Contains("\"EventId\":2003", StringComparison.Ordinal) && l.Contains(runId, StringComparison.Ordinal))
                .Select(l => (JsonElement?)JsonDocument.Parse(l[l.IndexOf('{', StringComparison.Ordinal)..]).RootElement.Clone()).FirstOrDefault();
            await Task.Delay(50, Ct);
        }

        var scope = line.Value.GetProperty("Scopes").EnumerateArray().Single(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty("RunId", out _));
        Assert.Equal(runId, scope.GetProperty("RunId").GetString());
        Assert.Equal("Source", scope.GetProperty("UnitKind").GetString());
        Assert.Equal("input", scope.GetProperty("BlockId").GetString());
        Assert.StartsWith(runId, scope.GetProperty("Unit").GetString(), StringComparison.Ordinal);
    }
}
