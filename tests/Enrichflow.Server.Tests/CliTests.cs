using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>The <c>enrichflow</c> command line, run as a real process.</summary>
public sealed class CliTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args) => CliProcess.RunAsync(args, null, Ct);

    [Fact]
    public async Task Keys_create_prints_the_key_alone_and_the_key_works_for_its_organization()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-cli", Guid.NewGuid().ToString("N"));
        var (exit, stdout, _) = await RunAsync("keys", "create", "--org", "acme", "--data", data);
        Assert.Equal(0, exit);
        var key = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ef_", key, StringComparison.Ordinal);

        var (readOnlyExit, readOnlyOut, _) = await RunAsync("keys", "create", "--org", "acme", "--read-only", "--data", data);
        Assert.Equal(0, readOnlyExit);

        await using var server = await TestServer.StartAsync(dataDirectory: data);
        using var acme = server.NewClient(key);
        await server.CreateWorkflowAsync(Definitions.WebhookOnly, "acme-flow", acme);
        var workflow = await acme.GetFromJsonAsync<JsonElement>("/workflows/acme-flow", Ct);
        Assert.Equal("acme", workflow.GetProperty("org_id").GetString());
        using var readOnly = server.NewClient(readOnlyOut.Trim());
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await readOnly.PostAsync("/workflows/delete_workflow?workflow_id=acme-flow", null, Ct)).StatusCode);
    }

    [Fact]
    public async Task Keys_list_shows_ids_never_secrets_and_a_revoked_key_gets_401_at_once()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-cli", Guid.NewGuid().ToString("N"));
        var key = (await RunAsync("keys", "create", "--org", "acme", "--data", data)).Stdout.Trim();
        await RunAsync("keys", "create", "--org", "globex", "--read-only", "--data", data);

        var (listExit, table, _) = await RunAsync("keys", "list", "--data", data);
        Assert.Equal(0, listExit);
        Assert.DoesNotContain(key, table, StringComparison.Ordinal);
        Assert.Contains("READ-ONLY", table, StringComparison.Ordinal);
        var (_, json, _) = await RunAsync("keys", "list", "--json", "--data", data);
        Assert.DoesNotContain(key, json, StringComparison.Ordinal);
        var keys = JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();
        Assert.Equal(["acme", "globex"], keys.Select(k => k.GetProperty("org_id").GetString()));
        Assert.Equal([false, true], keys.Select(k => k.GetProperty("read_only").GetBoolean()));
        Assert.All(keys, k => Assert.Equal(JsonValueKind.Null, k.GetProperty("revoked_at").ValueKind));

        await using var server = await TestServer.StartAsync(dataDirectory: data);
        using var acme = server.NewClient(key);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await acme.GetAsync("/workflows", Ct)).StatusCode);
        var acmeId = keys[0].GetProperty("id").GetString()!;
        Assert.Equal(0, (await RunAsync("keys", "revoke", acmeId, "--data", data)).ExitCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await acme.GetAsync("/workflows", Ct)).StatusCode);

        var (_, after, _) = await RunAsync("keys", "list", "--json", "--data", data);
        Assert.NotEqual(JsonValueKind.Null, JsonDocument.Parse(after).RootElement[0].GetProperty("revoked_at").ValueKind);
        var (missingExit, _, missingErr) = await RunAsync("keys", "revoke", "nope", "--data", data);
        Assert.Equal(1, missingExit);
        Assert.Contains("'nope'", missingErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Orgs_limits_set_show_and_clear_against_a_data_directory_and_a_running_server_answers_by_them()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-cli", Guid.NewGuid().ToString("N"));
        var key = (await RunAsync("keys", "create", "--org", "acme", "--data", data)).Stdout.Trim();
        var (setExit, table, _) = await RunAsync("orgs", "limits", "set", "acme", "--credits-per-day", "0", "--credits-per-month", "250.5",
            "--max-running-runs", "4", "--max-stored-bytes", "1.5GiB", "--data", data);
        Assert.Equal(0, setExit);
        Assert.Contains("credits_per_month", table, StringComparison.Ordinal);

        // Options not given stay; 'unlimited' removes one.
        Assert.Equal(0, (await RunAsync("orgs", "limits", "set", "acme", "--max-queued-runs", "2", "--max-running-runs", "unlimited", "--data", data)).ExitCode);
        var (showExit, json, _) = await RunAsync("orgs", "limits", "show", "acme", "--json", "--data", data);
        Assert.Equal(0, showExit);
        var limits = JsonDocument.Parse(json).RootElement;
        Assert.Equal(0, limits.GetProperty("credits_per_day").GetDouble());
        Assert.Equal(250.5, limits.GetProperty("credits_per_month").GetDouble());
        Assert.Equal(JsonValueKind.Null, limits.GetProperty("max_running_runs").ValueKind);
        Assert.Equal(2, limits.GetProperty("max_queued_runs").GetInt32());
        Assert.Equal(1610612736, limits.GetProperty("max_stored_bytes").GetInt64());
        Assert.Equal(0, limits.GetProperty("used").GetProperty("credits_today").GetDouble());

        await using (var server = await TestServer.StartAsync(dataDirectory: data))
        {
            using var acme = server.NewClient(key);
            await server.CreateWorkflowAsync(Definitions.WebhookOnly, "acme-flow", acme);
            var refused = await acme.PostAsJsonAsync("/workflows/run?workflow_id=acme-flow", new { webhook_payload = new[] { new { a = 1 } } }, Ct);
            Assert.Equal(System.Net.HttpStatusCode.PaymentRequired, refused.StatusCode);
            var usage = await acme.GetFromJsonAsync<JsonElement>("/usage", Ct);
            Assert.Equal(250.5, usage.GetProperty("limits").GetProperty("credits_per_month").GetProperty("limit").GetDouble());

            // The CLI changes the limits of a running server's store; the next start sees them.
            Assert.Equal(0, (await RunAsync("orgs", "limits", "clear", "acme", "--data", data)).ExitCode);
            var started = await acme.PostAsJsonAsync("/workflows/run?workflow_id=acme-flow", new { webhook_payload = new[] { new { a = 1 } } }, Ct);
            Assert.Equal(System.Net.HttpStatusCode.OK, started.StatusCode);
        }

        var (cleared, clearedJson, _) = await RunAsync("orgs", "limits", "show", "acme", "--json", "--data", data);
        Assert.Equal(0, cleared);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(clearedJson).RootElement.GetProperty("credits_per_day").ValueKind);

        var (badExit, _, badErr) = await RunAsync("orgs", "limits", "set", "acme", "--credits-per-day", "-1", "--max-stored-bytes", "lots", "--data", data);
        Assert.Equal(2, badExit);
        Assert.Contains("--credits-per-day '-1'", badErr, StringComparison.Ordinal);
        Assert.Contains("--max-stored-bytes 'lots'", badErr, StringComparison.Ordinal);
        var (badOrgExit, _, badOrgErr) = await RunAsync("orgs", "limits", "show", "not an org", "--data", data);
        Assert.Equal(2, badOrgExit);
        Assert.Contains("'not an org'", badOrgErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_describes_every_command()
    {
        var (exit, stdout, _) = await RunAsync("--help");
        Assert.Equal(0, exit);
        Assert.Contains("serve", stdout, StringComparison.Ordinal);
        Assert.Contains("keys", stdout, StringComparison.Ordinal);
        var (serveExit, serveHelp, _) = await RunAsync("serve", "--help");
        Assert.Equal(0, serveExit);
        Assert.Contains("--urls", serveHelp, StringComparison.Ordinal);
        Assert.Contains("--data", serveHelp, StringComparison.Ordinal);
        Assert.Contains("--config", serveHelp, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_bad_configuration_and_lists_every_problem()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        var config = Path.Combine(data, "bad.json");
        await File.WriteAllTextAsync(config, """{"Limits": {"MaxUploadBytes": 10}, "Engine": {"ChunkSize": 0}, "Email": {"DnsTimeoutMs": -1}}""", Ct);
        var (exit, _, stderr) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", "--data", data, "--config", config);
        Assert.NotEqual(0, exit);
        Assert.Contains("MaxUploadBytes", stderr, StringComparison.Ordinal);
        Assert.Contains("ChunkSize", stderr, StringComparison.Ordinal);
        Assert.Contains("DnsTimeoutMs", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_names_a_missing_environment_variable_referenced_by_the_configuration()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "enrichflow.json"), """{"Downloads": {"Secret": "${ENRICHFLOW_TEST_SECRET_THAT_IS_NOT_SET}"}}""", Ct);
        var (exit, _, stderr) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", "--data", data);
        Assert.NotEqual(0, exit);
        Assert.Contains("ENRICHFLOW_TEST_SECRET_THAT_IS_NOT_SET", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_refuses_providers_with_a_missing_secret_or_bad_settings_and_names_every_problem()
    {
        var data = Path.Combine(Path.GetTempPath(), "enrichflow-cli", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "enrichflow.json"), """
            {"Providers": {
               "s64": {"Kind": "sixtyfour", "ApiKey": "${ENRICHFLOW_TEST_SIXTYFOUR_KEY_NOT_SET}"},
               "llm": {"Kind": "openai_compatible", "BaseUrl": "http://127.0.0.1:9/v1/"},
               "odd": {"Kind": "telepathy"}}}
            """, Ct);
        var (exit, _, stderr) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", "--data", data);
        Assert.NotEqual(0, exit);
        Assert.Contains("ENRICHFLOW_TEST_SIXTYFOUR_KEY_NOT_SET", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);

        // With the variable set, the other providers' problems are listed together.
        await File.WriteAllTextAsync(Path.Combine(data, "enrichflow.json"), """
            {"Providers": {
               "s64": {"Kind": "sixtyfour", "ApiKey": ""},
               "llm": {"Kind": "openai_compatible", "BaseUrl": "http://127.0.0.1:9/v1/"},
               "odd": {"Kind": "telepathy"}}}
            """, Ct);
        (exit, _, stderr) = await RunAsync("serve", "--urls", "http://127.0.0.1:0", "--data", data);
        Assert.NotEqual(0, exit);
        Assert.Contains("Providers:s64:ApiKey", stderr, StringComparison.Ordinal);
        Assert.Contains("Providers:llm:Model", stderr, StringComparison.Ordinal);
        Assert.Contains("telepathy", stderr, StringComparison.Ordinal);
        Assert.Contains("sixtyfour", stderr[stderr.IndexOf("telepathy", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }
}
