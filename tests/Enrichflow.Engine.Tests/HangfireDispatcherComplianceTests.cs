using Enrichflow.Dispatch.Hangfire;

namespace Enrichflow.Engine.Tests;

/// <summary>
/// The distributed dispatcher (units carried as Hangfire jobs on PostgreSQL, run by this process's Hangfire server)
/// against the dispatcher compliance suite. Each test gets its own Hangfire schema in the test database that
/// <c>./test.sh</c> starts (ENRICHFLOW_TEST_POSTGRES); the run store is the embedded one.
/// </summary>
public sealed class HangfireDispatcherComplianceTests : DispatcherCompliance
{
    protected override Task<EngineHarness> StartEngineAsync(EngineSetup setup, CancellationToken cancellationToken)
    {
        var connectionString = TestPostgres.ConnectionString();
        var schema = $"hangfire_{Guid.NewGuid():N}";
        return EngineHarness.StartAsync((services, directory) =>
        {
            EngineHarness.AddEmbeddedStorage(services, directory);
            services.AddHangfireDispatcher(o =>
            {
                o.ConnectionString = connectionString;
                o.Schema = schema;
                o.QueuePollInterval = TimeSpan.FromMilliseconds(200);
            });
            services.AddEnrichflowEngine(options =>
            {
                setup.Apply(options);
                options.IoWorkers = 2;
            });
        }, cancellationToken, setup.Time);
    }
}

/// <summary>The throwaway PostgreSQL server <c>./test.sh</c> starts (scripts/postgres.sh), named by ENRICHFLOW_TEST_POSTGRES.</summary>
internal static class TestPostgres
{
    public const string Variable = "ENRICHFLOW_TEST_POSTGRES";

    public static string ConnectionString() =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                $"{Variable} is not set: run the tests through ./test.sh, which starts a throwaway PostgreSQL, or start one with scripts/postgres.sh and export what it prints.");
}
