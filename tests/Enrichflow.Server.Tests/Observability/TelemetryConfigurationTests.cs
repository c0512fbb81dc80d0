using Enrichflow.Server.Hosting;

namespace Enrichflow.Server.Tests.Observability;

/// <summary>Bad <c>Metrics:*</c> and <c>Telemetry:*</c> values stop the server, each named (docs/api.md §9).</summary>
public sealed class TelemetryConfigurationTests
{
    [Fact]
    public async Task A_bad_refresh_interval_otlp_endpoint_or_protocol_is_a_configuration_problem_naming_its_key()
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-tests", Guid.NewGuid().ToString("N"));
        try
        {
            await using var app = EnrichflowApp.Build(new ServeSettings("http://127.0.0.1:0", directory), overrides:
                [new("Metrics:RefreshInterval", "02:00:00"), new("Telemetry:Otlp:Endpoint", "collector:4317"), new("Telemetry:Otlp:Protocol", "udp")]);

            var problems = EnrichflowApp.ConfigurationProblems(app);

            Assert.Contains("Metrics:RefreshInterval must be from 00:00:00 to 01:00:00 (got 02:00:00).", problems);
            Assert.Contains("Telemetry:Otlp:Endpoint must be an absolute http(s) URL (got 'collector:4317').", problems);
            Assert.Contains("Telemetry:Otlp:Protocol must be grpc or http/protobuf (got 'udp').", problems);
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
