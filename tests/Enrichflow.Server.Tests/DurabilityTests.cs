using Enrichflow.Server.Tests.Infrastructure;
using Enrichflow.Storage.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Server.Tests;

/// <summary>Issue 11 item 14: <c>FlushBlobsToDisk</c> also makes SQLite wait for the disk at every commit.</summary>
public sealed class DurabilityTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("true", "FULL")]
    [InlineData("false", "NORMAL")]
    public async Task FlushBlobsToDisk_sets_sqlite_synchronous_and_a_run_completes_with_it(string flush, string synchronous)
    {
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["FlushBlobsToDisk"] = flush });

        Assert.Equal(synchronous, await server.Services.GetRequiredService<SqliteStore>().SynchronousAsync(Ct));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { n = 1 }, new { n = 2 } } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        Assert.Equal(["n", "1", "2"], (await server.DownloadFinalAsync(runId)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
