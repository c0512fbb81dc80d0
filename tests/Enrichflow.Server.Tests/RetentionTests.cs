using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Enrichflow.Hosting.Retention;
using Enrichflow.Server.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Enrichflow.Server.Tests;

/// <summary>
/// Retention (docs/api.md §9.1) on a real server whose retention clock is a fake the test moves: expiry of runs,
/// uploads and idempotency records, unit files removed when a run ends, orphan and temp-file sweeps, sizes in /readyz.
/// </summary>
public sealed class RetentionTests
{
    /// <summary>What the data directory may differ by after everything expired: SQLite's page slack (a few pages, the shared-memory index).</summary>
    private const long Slack = 64 * 1024;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task After_runs_expire_the_data_directory_returns_to_its_size_before_them()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock);
        var sweep = server.Services.GetRequiredService<RetentionSweep>();
        var webhook = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var csv = await server.CreateWorkflowAsync(Definitions.ReadCsvFilter);
        await sweep.RunOnceAsync(Ct);
        var before = DirectoryBytes(server.DataDirectory);

        var runIds = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var handle = await server.UploadAsync("leads.csv", Leads(2500, i));
            runIds.Add(await server.StartRunAsync(csv, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=json"));
            runIds.Add(await StartWithKeyAsync(server, webhook, $"retention-{i}", Payload(300, i)));
        }

        foreach (var runId in runIds)
        {
            Assert.Equal("completed", (await server.WaitForRunAsync(runId, TimeSpan.FromMinutes(2))).GetProperty("overall_status").GetString());
            Assert.NotEmpty(await server.DownloadFinalAsync(runId));
        }

        await sweep.RunOnceAsync(Ct);
        var during = DirectoryBytes(server.DataDirectory);
        Assert.True(during > before + 200_000, $"the runs took {during - before} bytes");
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync($"/workflows/runs/{runIds[0]}", Ct)).StatusCode);

        clock.Advance(TimeSpan.FromDays(31));
        await sweep.RunOnceAsync(Ct);

        var after = DirectoryBytes(server.DataDirectory);
        TestContext.Current.TestOutputHelper?.WriteLine($"data directory: {before} bytes before the runs, {during} with them, {after} after they expired");
        Assert.True(Math.Abs(after - before) <= Slack, $"{after} bytes after expiry, {before} before the runs ({during} with them)");
        Assert.Empty(FilesUnder(server, "runs"));
        Assert.Empty(FilesUnder(server, "uploads"));
        foreach (var runId in runIds)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/workflows/runs/{runId}", Ct)).StatusCode);
        }
    }

    [Fact]
    public async Task A_completed_runs_unit_files_go_at_its_end_and_its_downloads_and_rejects_still_work()
    {
        // Every file written during the run: nothing is left to render from the unit files.
        await using var server = await StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow), ("Results:Materialize", "all"));
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvFilter);
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes("name,score\nann,70\nbob,20\ncid,55\ndee,10\n"));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } }, "&result_formats=json");
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());

        var run = Path.Combine(server.DataDirectory, "blobs", "runs", Guid.Parse(runId).ToString("N"));
        await WaitUntilAsync(() => !Directory.Exists(Path.Combine(run, "units")), $"the unit files of run {runId} were not deleted");

        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(run, "results")));
        Assert.Equal("name,score\nann,70\ncid,55\n", await server.DownloadFinalAsync(runId));
        var json = JsonDocument.Parse(await server.DownloadFinalAsync(runId, "json")).RootElement;
        Assert.Equal(["ann", "cid"], json.EnumerateArray().Select(r => r.GetProperty("name").GetString()));
        var rejects = await server.DownloadLinksAsync(runId, "rejects");
        using var anonymous = new HttpClient();
        var lines = (await anonymous.GetStringAsync(rejects[0].GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var withRejects = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?format=csv&include_rejects=true", Ct);
        Assert.Equal(["rejects.ndjson", "1_input.csv", "2_keep.csv"], withRejects.EnumerateArray().Select(l => l.GetProperty("filename").GetString()));
    }

    [Fact]
    public async Task A_run_with_files_still_to_render_keeps_its_unit_files_through_the_sweep_until_it_expires()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock);
        var sweep = server.Services.GetRequiredService<RetentionSweep>();
        var workflow = await server.CreateWorkflowAsync(Definitions.ReadCsvFilter);
        var handle = await server.UploadAsync("leads.csv", Encoding.UTF8.GetBytes("name,score\nann,70\nbob,20\ncid,55\ndee,10\n"));
        var runId = await server.StartRunAsync(workflow, new { specs_override = new { resource_handle_id = handle } });
        Assert.Equal("completed", (await server.WaitForRunAsync(runId)).GetProperty("overall_status").GetString());
        var units = Blob(server, $"runs/{Guid.Parse(runId):N}/units");

        clock.Advance(TimeSpan.FromDays(1));
        await sweep.RunOnceAsync(Ct);
        Assert.True(Directory.Exists(units), "the unit files of a run whose source file and rejects are not rendered yet were deleted");
        var links = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/results/download-links?format=csv&include_rejects=true", Ct);
        Assert.Equal(["rejects.ndjson", "1_input.csv", "2_keep.csv"], links.EnumerateArray().Select(l => l.GetProperty("filename").GetString()));
        using var anonymous = new HttpClient();
        Assert.Equal("name,score\nann,70\nbob,20\ncid,55\ndee,10\n", await anonymous.GetStringAsync(links[1].GetProperty("download_url").GetString(), Ct));
        Assert.Equal(2, (await anonymous.GetStringAsync(links[0].GetProperty("download_url").GetString(), Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);

        clock.Advance(TimeSpan.FromDays(31));
        await sweep.RunOnceAsync(Ct);
        Assert.False(Directory.Exists(units));
        Assert.Empty(FilesUnder(server, "runs"));
    }

    [Fact]
    public async Task Orphaned_blobs_and_a_file_written_after_a_runs_end_go_once_they_are_old_enough()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock);
        var sweep = server.Services.GetRequiredService<RetentionSweep>();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "ada" } } });
        await server.WaitForRunAsync(runId);
        var run = Guid.Parse(runId).ToString("N");
        await WaitUntilAsync(() => !Directory.Exists(Blob(server, $"runs/{run}/units")), "the unit files were not deleted");

        var late = WriteBlob(server, $"runs/{run}/units/input/0000001.{Guid.NewGuid():N}.efo");
        var noRun = WriteBlob(server, $"runs/{Guid.NewGuid():N}/units/input/0000000.{Guid.NewGuid():N}.efo");
        var noUpload = WriteBlob(server, $"uploads/default/{Guid.NewGuid():N}");

        await sweep.RunOnceAsync(Ct);
        Assert.True(File.Exists(late));
        Assert.True(File.Exists(noRun));
        Assert.True(File.Exists(noUpload));

        clock.Advance(TimeSpan.FromMinutes(61));
        await sweep.RunOnceAsync(Ct);
        Assert.False(File.Exists(late));
        Assert.False(File.Exists(noRun));
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(noRun)))));
        Assert.False(File.Exists(noUpload));
        Assert.Equal("name\nada\n", await server.DownloadFinalAsync(runId));
    }

    [Fact]
    public async Task A_temp_file_of_a_write_never_committed_goes_once_it_is_old_enough()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock);
        var sweep = server.Services.GetRequiredService<RetentionSweep>();
        var temp = Path.Combine(server.DataDirectory, "blobs", ".tmp", Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(temp, new byte[1000], Ct);

        await sweep.RunOnceAsync(Ct);
        Assert.True(File.Exists(temp));

        clock.Advance(TimeSpan.FromMinutes(61));
        await sweep.RunOnceAsync(Ct);
        Assert.False(File.Exists(temp));
    }

    [Fact]
    public async Task The_background_sweep_runs_on_the_retention_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock);
        var temp = Path.Combine(server.DataDirectory, "blobs", ".tmp", Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(temp, new byte[1000], Ct);
        Assert.Null(server.Services.GetRequiredService<StorageUsage>().Latest);

        clock.Advance(TimeSpan.FromMinutes(61));

        // The service may start waiting after that move (it starts in the background): keep the clock moving until it has run.
        await WaitUntilAsync(() =>
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            return !File.Exists(temp) && server.Services.GetRequiredService<StorageUsage>().Latest is not null;
        }, "the background sweep did not remove the stale temp file");
    }

    [Fact]
    public async Task An_expired_run_is_not_found_everywhere_and_its_idempotency_key_is_free_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock);
        var sweep = server.Services.GetRequiredService<RetentionSweep>();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await StartWithKeyAsync(server, workflow, "nightly", new { webhook_payload = new object[] { new { name = "ada" } } });
        await server.WaitForRunAsync(runId);
        var url = (await server.DownloadLinksAsync(runId)).EnumerateArray().Last().GetProperty("download_url").GetString()!;
        var sameKeyOtherBody = new { webhook_payload = new object[] { new { name = "bob" } } };
        Assert.Equal(HttpStatusCode.Conflict, (await PostWithKeyAsync(server, workflow, "nightly", sameKeyOtherBody)).StatusCode);

        clock.Advance(TimeSpan.FromDays(30).Add(TimeSpan.FromMinutes(1)));
        await sweep.RunOnceAsync(Ct);

        foreach (var path in new[] { $"/workflows/runs/{runId}", $"/workflows/runs/{runId}/live_status", $"/workflows/runs/{runId}/results/download-links?format=csv" })
        {
            var response = await server.Client.GetAsync(path, Ct);
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{path} answered {(int)response.StatusCode}");
        }

        using var anonymous = new HttpClient();
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(url, Ct)).StatusCode);
        var runs = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct);
        Assert.DoesNotContain(runId, runs.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        var again = await PostWithKeyAsync(server, workflow, "nightly", sameKeyOtherBody);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.NotEqual(runId, (await again.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("job_id").GetString());
    }

    [Fact]
    public async Task A_run_younger_than_the_configured_days_stays()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StartAsync(clock, ("Retention:RunDays", "2"));
        var sweep = server.Services.GetRequiredService<RetentionSweep>();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "ada" } } });
        await server.WaitForRunAsync(runId);

        clock.Advance(TimeSpan.FromDays(1));
        await sweep.RunOnceAsync(Ct);
        Assert.Equal("name\nada\n", await server.DownloadFinalAsync(runId));

        clock.Advance(TimeSpan.FromDays(1.5));
        await sweep.RunOnceAsync(Ct);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/workflows/runs/{runId}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Readyz_shows_the_store_and_blob_sizes_and_an_organizations_usage_only_to_its_own_key()
    {
        await using var server = await StartAsync(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new object[] { new { name = "ada" } } });
        await server.WaitForRunAsync(runId);
        await server.CreateKeyAsync("acme");
        await server.Services.GetRequiredService<RetentionSweep>().RunOnceAsync(Ct);

        using var anonymous = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        var details = (await anonymous.GetFromJsonAsync<JsonElement>("/readyz", Ct)).GetProperty("details");

        Assert.True(details.GetProperty("store_bytes").GetInt64() > 0);
        Assert.True(details.GetProperty("blob_bytes").GetInt64() > 0);
        Assert.True(details.GetProperty("blob_count").GetInt64() > 0);
        Assert.Equal(JsonValueKind.Null, details.GetProperty("organizations").ValueKind);

        // With a key, the caller's own organization and no other.
        var own = (await server.Client.GetFromJsonAsync<JsonElement>("/readyz", Ct)).GetProperty("details").GetProperty("organizations");
        var org = Assert.Single(own.EnumerateArray());
        Assert.Equal("default", org.GetProperty("org_id").GetString());
        Assert.Equal(1, org.GetProperty("runs").GetInt64());
        Assert.True(org.GetProperty("stored_bytes").GetInt64() > 0);
        using var acme = server.NewClient(await server.CreateKeyAsync("acme"));
        var theirs = (await acme.GetFromJsonAsync<JsonElement>("/readyz", Ct)).GetProperty("details").GetProperty("organizations");
        Assert.Equal(0, Assert.Single(theirs.EnumerateArray()).GetProperty("runs").GetInt64());
    }

    [Fact]
    public async Task A_bad_retention_setting_stops_the_server_naming_it()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var server = await TestServer.StartAsync(new Dictionary<string, string?> { ["Retention:RunDays"] = "-1" });
        });
        Assert.Contains("Retention:RunDays", error.ToString(), StringComparison.Ordinal);
    }

    private static Task<TestServer> StartAsync(FakeTimeProvider clock, params (string Key, string Value)[] settings)
    {
        var overrides = settings.ToDictionary(s => s.Key, s => (string?)s.Value);
        return TestServer.StartAsync(overrides, services: s => s.AddSingleton(new RetentionClock(clock)));
    }

    private static async Task<HttpResponseMessage> PostWithKeyAsync(TestServer server, string workflow, string key, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", key);
        return await server.Client.SendAsync(request, Ct);
    }

    private static async Task<string> StartWithKeyAsync(TestServer server, string workflow, string key, object body)
    {
        var response = await PostWithKeyAsync(server, workflow, key, body);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"run answered {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("job_id").GetString()!;
    }

    private static byte[] Leads(int rows, int seed)
    {
        var text = new StringBuilder("name,score\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append("lead-").Append(seed).Append('-').Append(i).Append(',').Append((i * 37 + seed) % 100).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static object Payload(int rows, int seed) =>
        new { webhook_payload = Enumerable.Range(0, rows).Select(i => new { name = $"Lead {seed}-{i}", email = i % 4 == 0 ? $"bad{i}@@example.com" : $"lead{seed}x{i}@example.com" }).ToArray() };

    /// <summary>The bytes of every file under <paramref name="directory"/>, recursively.</summary>
    private static long DirectoryBytes(string directory) =>
        new DirectoryInfo(directory).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).Sum(f => f.Length);

    private static List<string> FilesUnder(TestServer server, string prefix)
    {
        var directory = Path.Combine(server.DataDirectory, "blobs", prefix);
        return Directory.Exists(directory) ? [.. Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)] : [];
    }

    private static string Blob(TestServer server, string key) => Path.Combine(server.DataDirectory, "blobs", Path.Combine(key.Split('/')));

    private static string WriteBlob(TestServer server, string key)
    {
        var path = Blob(server, key);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[100]);
        return path;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string message)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            await Task.Delay(50, Ct);
        }
    }
}
