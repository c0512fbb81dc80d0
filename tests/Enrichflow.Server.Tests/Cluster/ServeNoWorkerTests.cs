using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary><c>enrichflow serve --no-worker</c>: the API of a cluster without a worker of its own.</summary>
public sealed class ServeNoWorkerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_worker_on_the_embedded_dispatcher_stops_serve_saying_nothing_would_run_the_units()
    {
        var (exitCode, stdout, error) = await CliProcess.RunAsync(
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data", ServerProcessClient.NewDataDirectory(), "--no-worker"], null, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("Dispatch:RunWorker is false (serve --no-worker), which needs Dispatch:Kind 'hangfire'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_help_lists_no_worker()
    {
        var (exitCode, stdout, _) = await CliProcess.RunAsync(["serve", "--help"], null, Ct);

        Assert.Equal(0, exitCode);
        Assert.Contains("--no-worker", stdout, StringComparison.Ordinal);
    }
}
