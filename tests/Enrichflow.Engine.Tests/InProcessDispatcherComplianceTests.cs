using Enrichflow.Engine;

namespace Enrichflow.Engine.Tests;

/// <summary>The embedded dispatcher (SQLite, local disk, units run in this process) against the dispatcher compliance suite.</summary>
public sealed class InProcessDispatcherComplianceTests : DispatcherCompliance
{
    protected override Task<EngineHarness> StartEngineAsync(EngineSetup setup, CancellationToken cancellationToken) =>
        EngineHarness.StartAsync((services, directory) =>
        {
            EngineHarness.AddEmbeddedStorage(services, directory);
            services.AddEnrichflowEngine(setup.Apply);
        }, cancellationToken, setup.Time);
}
