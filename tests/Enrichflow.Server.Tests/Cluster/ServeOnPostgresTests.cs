using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;
using Npgsql;

namespace Enrichflow.Server.Tests.Cluster;

/// <summary>
/// <c>enrichflow serve --store postgres://...</c> (issue 13 item 4): the whole scaled-out configuration in one real
/// process (PostgreSQL store, S3 blobs, units through Hangfire), and a PostgreSQL that cannot be reached at start.
/// </summary>
public sealed class ServeOnPostgresTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Serve_with_an_unreachable_postgresql_store_exits_2_naming_the_setting_without_the_password()
    {
        var store = $"postgres://enrichflow:hunter2@127.0.0.1:{ServerProcess.FreePort()}/enrichflow";
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, "enrichflow.dll"), "serve", "--urls", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--data", ServerProcessClient.NewDataDirectory(), "--store", store },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(2, process.ExitCode);
        var error = await stderr;
        Assert.Contains("cannot start: the store (Store = postgres://enrichflow:***@127.0.0.1:", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening", await stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_on_postgresql_s3_and_hangfire_completes_with_every_row_once_in_order()
    {
        var database = await NewDatabaseAsync();
        var bucket = "cluster-" + Guid.NewGuid().ToString("N");
        var s3Address = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3")?.TrimEnd('/')
            ?? throw new InvalidOperationException("ENRICHFLOW_TEST_S3 is not set: run ./test.sh, or scripts/s3.sh start && eval \"$(scripts/s3.sh env)\".");
        using var s3 = new HttpClient();
        (await s3.PutAsync($"{s3Address}/{bucket}", null, Ct)).EnsureSuccessStatusCode();
        var data = ServerProcessClient.NewDataDirectory();
        const int Rows = 3_000;
        var csv = Path.Combine(data, "leads.csv");
        await ServerProcessClient.WriteCsvAsync(csv, "id,name,score", Enumerable.Range(0, Rows).Select(i => $"{i},lead {i},{i % 100}"));

        await using var server = await ServerProcess.StartAsync(data, new Dictionary<string, string>
        {
            ["ENRICHFLOW_Store"] = database,
            ["ENRICHFLOW_Blobs"] = $"s3://{bucket}/enrichflow",
            ["ENRICHFLOW_Blobs__S3__ServiceUrl"] = s3Address,
            ["ENRICHFLOW_Blobs__S3__AccessKey"] = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_ACCESS_KEY") ?? "S3RVER",
            ["ENRICHFLOW_Blobs__S3__SecretKey"] = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_SECRET_KEY") ?? "S3RVER",
            ["ENRICHFLOW_Dispatch__Kind"] = "hangfire",
            ["ENRICHFLOW_Engine__ChunkSize"] = "250",
        });
        using var http = ServerProcessClient.Create(server.BaseUrl, data);
        var workflow = await ServerProcessClient.CreateWorkflowAsync(http, "cluster-flow", Definitions.ReadCsvFilter);
        var runId = await ServerProcessClient.StartUploadRunAsync(http, workflow, csv);
        var live = await ServerProcessClient.WaitForEndAsync(http, runId);

        Assert.Equal("completed", live.GetProperty("overall_status").GetString());
        var links = await http.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links", Ct);
        var final = links.EnumerateArray().Last();
        var lines = (await http.GetStringAsync(final.GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = Enumerable.Range(0, Rows).Where(i => i % 100 >= 50).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(expected, lines.Skip(1).Select(line => line.Split(',')[0]));
        // The state is in PostgreSQL: the run and its units are rows there.
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync(Ct);
        await using var units = new NpgsqlCommand("SELECT count(*) FROM work_units WHERE status = 'done'", connection);
        Assert.True((long)(await units.ExecuteScalarAsync(Ct))! >= Rows / 250 * 2);
    }

    /// <summary>A fresh database on the test server that ./test.sh starts (ENRICHFLOW_TEST_POSTGRES).</summary>
    private static async Task<string> NewDatabaseAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(Postgres.ConnectionString());
        var name = $"serve_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(Ct);
        }

        builder.Database = name;
        return builder.ConnectionString;
    }
}
