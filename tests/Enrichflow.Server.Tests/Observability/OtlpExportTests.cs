using System.Collections.Concurrent;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Server.Tests.Observability;

/// <summary><c>Telemetry:Otlp:Endpoint</c>: a server process pushes its spans and metrics to a collector (here a loopback receiver of OTLP over HTTP).</summary>
public sealed class OtlpExportTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task With_an_otlp_endpoint_the_server_exports_the_spans_of_a_run_and_its_metrics()
    {
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var port = ServerProcess.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        await using var collector = builder.Build();
        collector.MapPost("/{**signal}", async (HttpContext http) =>
        {
            using var body = new MemoryStream();
            await http.Request.Body.CopyToAsync(body, http.RequestAborted);
            received.Enqueue((http.Request.Path.Value!, body.ToArray()));
            return Microsoft.AspNetCore.Http.Results.Ok();
        });
        await collector.StartAsync(Ct);

        var data = ServerProcessClient.NewDataDirectory();
        await using var server = await ServerProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["ENRICHFLOW_Telemetry__Otlp__Endpoint"] = $"http://127.0.0.1:{port}/",
            ["ENRICHFLOW_Telemetry__Otlp__Protocol"] = "http/protobuf",
            // The SDK's own settings, read from the server's configuration: export every half second instead of
            // every five (traces) or sixty (metrics).
            ["ENRICHFLOW_OTEL_BSP_SCHEDULE_DELAY"] = "500",
            ["ENRICHFLOW_OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "otlp", """
            {"blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
                        {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}]}
            """);
        var started = await http.PostAsync($"/workflows/run?workflow_id={workflow}",
            new StringContent("""{"webhook_payload": [{"email": "ada@example.com"}]}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        var runId = Guid.Parse(JsonDocument.Parse(await started.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("job_id").GetString()!);

        // Protobuf carries the trace id as its 16 raw bytes: the run id's, big-endian; the span names as text.
        var traceId = runId.ToByteArray(bigEndian: true);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!(received.Any(r => r.Path == "/v1/traces" && Contains(r.Body, traceId) && Contains(r.Body, "enrichflow.run"u8.ToArray()))
                 && received.Any(r => r.Path == "/v1/metrics" && Contains(r.Body, "enrichflow.rows.processed"u8.ToArray()))))
        {
            Assert.True(DateTime.UtcNow < deadline, $"the collector received {string.Join(", ", received.Select(r => r.Path))} but not the run's spans and the metrics");
            await Task.Delay(100, Ct);
        }
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;
}
