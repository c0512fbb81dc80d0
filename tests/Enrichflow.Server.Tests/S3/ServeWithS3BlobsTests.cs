using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.S3;

/// <summary>
/// <c>enrichflow serve</c> with <c>Blobs = s3://bucket/prefix</c> on the real S3-protocol server that scripts/s3.sh
/// starts (./test.sh does; <c>ENRICHFLOW_TEST_S3</c> names it).
/// </summary>
public sealed class ServeWithS3BlobsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string S3Address => TestBackends.S3Address;

    private static Dictionary<string, string> S3Environment(string blobs) => TestBackends.S3Environment(blobs);

    [Fact]
    public async Task A_missing_bucket_stops_serve_at_start_naming_the_setting()
    {
        var (exitCode, stdout, error) = await CliProcess.RunAsync(
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data", ServerProcessClient.NewDataDirectory(), "--blobs", "s3://no-such-bucket-here/enrichflow"],
            S3Environment("local"), Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot start", error, StringComparison.Ordinal);
        Assert.Contains("'no-such-bucket-here' does not exist", error, StringComparison.Ordinal);
        Assert.Contains("Blobs:S3:Bucket", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
    }

    /// <summary>s3rver checks the access key id (not a V4 signature): an unknown one is refused at serve's and worker's start check.</summary>
    [Fact]
    public async Task An_unknown_access_key_stops_serve_and_worker_at_start_naming_the_setting()
    {
        var bucket = await TestBackends.NewBucketAsync("creds-", Ct);
        var environment = S3Environment($"s3://{bucket}/enrichflow");
        environment["ENRICHFLOW_Blobs__S3__AccessKey"] = "WRONGKEY";
        var (serveExit, stdout, serveError) = await CliProcess.RunAsync(
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data", ServerProcessClient.NewDataDirectory()], environment, Ct);
        environment["ENRICHFLOW_Store"] = await TestBackends.NewPostgresDatabaseAsync("creds_", Ct);
        var (workerExit, _, workerError) = await CliProcess.RunAsync(["worker", "--data", ServerProcessClient.NewDataDirectory()], environment, Ct);

        Assert.Equal(2, serveExit);
        Assert.Contains("cannot start", serveError, StringComparison.Ordinal);
        Assert.Contains("does not know the access key 'WRONGKEY' (check Blobs:S3:AccessKey)", serveError, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", stdout, StringComparison.Ordinal);
        Assert.Equal(2, workerExit);
        Assert.Contains("(check Blobs:S3:AccessKey)", workerError, StringComparison.Ordinal);
    }

    /// <summary>s3rver does not verify signatures, so a proxy answers as S3 does for a secret key that does not match.</summary>
    [Fact]
    public async Task A_wrong_secret_key_stops_serve_at_start_naming_the_setting_and_never_the_secret()
    {
        var bucket = await TestBackends.NewBucketAsync("creds-", Ct);
        await using var proxy = new S3FaultProxy(new Uri(S3Address + "/"));
        proxy.Fail(int.MaxValue, HttpStatusCode.Forbidden, "SignatureDoesNotMatch", _ => true);
        var environment = S3Environment($"s3://{bucket}/enrichflow");
        environment["ENRICHFLOW_Blobs__S3__ServiceUrl"] = proxy.Address.ToString().TrimEnd('/');
        environment["ENRICHFLOW_Blobs__S3__SecretKey"] = "not-the-secret-0123456789";

        var (exitCode, stdout, error) = await CliProcess.RunAsync(
            ["serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data", ServerProcessClient.NewDataDirectory()], environment, Ct);

        Assert.Equal(2, exitCode);
        Assert.Contains("cannot start", error, StringComparison.Ordinal);
        Assert.Contains("(check Blobs:S3:SecretKey)", error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-0123456789", error + stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_on_s3_blobs_completes_and_its_blobs_are_objects_under_the_prefix()
    {
        var bucket = await TestBackends.NewBucketAsync("serve-", Ct);
        using var s3 = new HttpClient();
        var data = ServerProcessClient.NewDataDirectory();
        const int Rows = 2_000;
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,score", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},{i % 100}"));

        await using var server = await ServerProcess.StartAsync(data, S3Environment($"s3://{bucket}/enrichflow"));
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var ready = await http.GetFromJsonAsync<JsonElement>("/readyz", Ct);
        Assert.True(ready.GetProperty("blob_store").GetBoolean());
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "s3-flow", Definitions.ReadCsvFilter);
        var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
        var live = await ServerProcessClient.WaitForEndAsync(http, runId);

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
        var final = links.EnumerateArray().Last();
        Assert.Equal(Rows / 2, final.GetProperty("row_count").GetInt64());
        var lines = (await s3.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Rows / 2, lines.Length - 1);
        Assert.StartsWith("50,lead 50,50", lines[1], StringComparison.Ordinal);

        var listing = await s3.GetStringAsync($"{S3Address}/{bucket}?list-type=2&prefix=enrichflow/", Ct);
        Assert.Contains("<Key>enrichflow/", listing, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data, "blobs")) && Directory.EnumerateFiles(Path.Combine(data, "blobs"), "*", SearchOption.AllDirectories).Any());
    }
}
