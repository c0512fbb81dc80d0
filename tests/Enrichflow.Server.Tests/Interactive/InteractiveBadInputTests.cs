using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Interactive;

/// <summary>What an interactive session answers to input that does not fit (docs/api.md §12), one test each.</summary>
public sealed class InteractiveBadInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly object[] Rows = [new { email = "ada@example.com", name = "ada" }, new { email = "bob@example.com", name = "bob" }];

    [Fact]
    public async Task A_block_that_does_not_fit_the_chain_is_refused_with_the_reason_and_the_session_goes_on()
    {
        await using var server = await TestServer.StartAsync();
        var session = new InteractiveClient(server);
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = Rows });
        await session.WaitForBlockAsync(jobId, "block_1");

        var unknown = await session.AddBlockAsync(jobId, "no_such_block", new { }, "block_1");
        Assert.False(unknown.GetProperty("accepted").GetBoolean());
        Assert.Contains("no_such_block", unknown.GetProperty("error").GetString(), StringComparison.Ordinal);

        var badSpecs = await session.AddBlockAsync(jobId, "filter", new { filters = new[] { new { column = "email", @operator = "resembles", value = "x" } } }, "block_1");
        Assert.False(badSpecs.GetProperty("accepted").GetBoolean());
        Assert.Contains("resembles", badSpecs.GetProperty("error").GetString(), StringComparison.Ordinal);

        var missingColumn = await session.AddBlockAsync(jobId, "filter", new { filters = new[] { new { column = "city", @operator = "equals", value = "paris" } } }, "block_1");
        Assert.False(missingColumn.GetProperty("accepted").GetBoolean());
        Assert.Equal("Block 'block_2' (filter) reads column 'city', which the rows of 'block_1' lack (their columns: email, name).", missingColumn.GetProperty("error").GetString());

        var good = await session.AddAcceptedAsync(jobId, "filter", new { filters = new[] { new { column = "name", @operator = "equals", value = "ada" } } }, "block_1");
        Assert.Equal("block_2", good);
        await session.WaitForBlockAsync(jobId, good);
        Assert.Equal(1, (await session.OutputAsync(jobId, good)).GetProperty("row_count").GetInt32());
        // A parent may have several children.
        var sibling = await session.AddAcceptedAsync(jobId, "filter", new { filters = new[] { new { column = "name", @operator = "equals", value = "bob" } } }, "block_1");
        await session.WaitForBlockAsync(jobId, sibling);
        Assert.Equal(1, (await session.OutputAsync(jobId, sibling)).GetProperty("row_count").GetInt32());
        var state = await session.StateAsync(jobId);
        Assert.Equal(["block_1", "block_2", "block_3"], state.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("block_id").GetString()));
    }

    [Fact]
    public async Task A_block_that_takes_another_row_kind_is_refused_naming_the_converter()
    {
        await using var server = await TestServer.StartAsync();
        var session = new InteractiveClient(server);
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { dataframe_type = "COMPANY" }, webhook_payload = new[] { new { company_name = "Acme", email = "a@acme.test" } } });

        var refused = await session.AddBlockAsync(jobId, "validate_email", new { email_field = "email", check_mx = false }, "block_1");

        Assert.False(refused.GetProperty("accepted").GetBoolean());
        Assert.Contains("company_to_leads", refused.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_parent_block_id_that_does_not_exist_is_refused_listing_the_blocks()
    {
        await using var server = await TestServer.StartAsync();
        var session = new InteractiveClient(server);
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = Rows });

        var refused = await session.AddBlockAsync(jobId, "filter", new { expression = "[name] = 'ada'" }, "block_9");

        Assert.False(refused.GetProperty("accepted").GetBoolean());
        Assert.Equal("parent_block_id 'block_9' is not a block of this session (its blocks: block_1).", refused.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_session_of_another_organization_is_not_found()
    {
        await using var server = await TestServer.StartAsync();
        var jobId = await new InteractiveClient(server).StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = Rows });
        using var other = server.NewClient(await server.CreateKeyAsync("other"));
        var stranger = new InteractiveClient(server, other);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/workflows/interactive/{jobId}/state")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.GetAsync($"/workflows/interactive/{jobId}/output?block_id=block_1")).Status);
        var (status, body) = await stranger.PostAsync($"/workflows/interactive/{jobId}/add-block", new { block_name = "filter", specs = new { expression = "true" }, parent_block_id = "block_1" });
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal("Interactive session not found", body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/workflows/interactive/{jobId}/finish", null)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/workflows/interactive/{jobId}/save", new { block_id = "block_1", workflow_name = "x" })).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.PostAsync($"/workflows/cancel?job_id={jobId}", null)).Status);
    }

    [Fact]
    public async Task An_unknown_job_id_or_a_run_that_is_not_a_session_is_not_found()
    {
        await using var server = await TestServer.StartAsync();
        var session = new InteractiveClient(server);
        var workflow = await server.CreateWorkflowAsync("""{"blocks": [{"sequence_number": 1, "block_name": "webhook", "block_id": "in"}], "edges": []}""");
        var plainRun = await server.StartRunAsync(workflow, new { webhook_payload = Rows });

        foreach (var jobId in new[] { Guid.NewGuid().ToString(), "not-a-uuid", plainRun })
        {
            var (status, body) = await session.GetAsync($"/workflows/interactive/{jobId}/state");
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("Interactive session not found", body.GetProperty("detail").GetString());
            Assert.Equal(HttpStatusCode.NotFound, (await session.PostAsync($"/workflows/interactive/{jobId}/add-block", new { block_name = "filter", specs = new { }, parent_block_id = "in" })).Status);
        }
    }

    [Fact]
    public async Task Add_block_after_finish_is_a_409_naming_the_session()
    {
        await using var server = await TestServer.StartAsync();
        var session = new InteractiveClient(server);
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = Rows });
        await session.PostAsync($"/workflows/interactive/{jobId}/finish", null);
        Assert.Equal("completed", (await server.WaitForRunAsync(jobId)).GetProperty("overall_status").GetString());

        var (status, body) = await session.PostAsync($"/workflows/interactive/{jobId}/add-block", new { block_name = "filter", specs = new { expression = "[name] = 'ada'" }, parent_block_id = "block_1" });

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal($"Interactive session {jobId} is completed; it takes no more blocks.", body.GetProperty("detail").GetString());
        var (again, finished) = await session.PostAsync($"/workflows/interactive/{jobId}/finish", null);
        Assert.Equal(HttpStatusCode.OK, again);
        Assert.Equal("completed", finished.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_output_of_a_block_still_running_is_a_409_that_says_so_and_the_session_can_be_cancelled()
    {
        using var dns = TestDnsServer.Start();
        dns.Delay = TimeSpan.FromSeconds(30);
        await using var server = await TestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Email:NameServers:0"] = dns.Address,
            ["Email:DnsTimeoutMs"] = "60000",
        });
        var session = new InteractiveClient(server);
        var jobId = await session.StartAsync(new { block_name = "webhook", specs = new { }, webhook_payload = Rows });
        var check = await session.AddAcceptedAsync(jobId, "validate_email", new { email_field = "email", check_mx = true }, "block_1");

        var (status, body) = await session.GetAsync($"/workflows/interactive/{jobId}/output?block_id={check}");

        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Matches("^Block 'block_2' is still (pending|running) \\(0 rows so far\\); its output is ready once its status in /state is completed\\.$", body.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await session.GetAsync($"/workflows/interactive/{jobId}/output?block_id=block_7")).Status);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await session.GetAsync($"/workflows/interactive/{jobId}/output")).Status);

        var cancel = await server.Client.PostAsync($"/workflows/cancel?job_id={jobId}", null, Ct);
        Assert.Equal(HttpStatusCode.OK, cancel.StatusCode);
        Assert.Equal("cancelled", (await server.WaitForRunAsync(jobId)).GetProperty("overall_status").GetString());
    }

    [Fact]
    public async Task A_start_without_a_source_block_or_its_input_is_answered_naming_the_field()
    {
        await using var server = await TestServer.StartAsync();
        var session = new InteractiveClient(server);

        var (missing, missingBody) = await session.PostAsync("/workflows/interactive/start", new { specs = new { }, webhook_payload = Rows });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, missing);
        Assert.Equal(["body", "block_name"], missingBody.GetProperty("detail")[0].GetProperty("loc").EnumerateArray().Select(l => l.GetString()));

        var (notSource, notSourceBody) = await session.PostAsync("/workflows/interactive/start", new { block_name = "filter", specs = new { expression = "true" } });
        Assert.Equal(HttpStatusCode.BadRequest, notSource);
        Assert.Contains("source", notSourceBody.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var (noPayload, noPayloadBody) = await session.PostAsync("/workflows/interactive/start", new { block_name = "webhook", specs = new { } });
        Assert.Equal(HttpStatusCode.BadRequest, noPayload);
        Assert.Equal("Interactive session starts with webhook block 'block_1'; the request body needs a webhook_payload (a list of objects, or one object).", noPayloadBody.GetProperty("detail").GetString());

        var (noHandle, _) = await session.PostAsync("/workflows/interactive/start", new { block_name = "read_csv", specs = new { resource_handle_id = Guid.NewGuid() } });
        Assert.Equal(HttpStatusCode.NotFound, noHandle);

        var (badRow, badRowBody) = await session.PostAsync("/workflows/interactive/start", new { block_name = "webhook", specs = new { }, webhook_payload = new object[] { new { a = 1 }, 7 } });
        Assert.Equal(HttpStatusCode.BadRequest, badRow);
        Assert.StartsWith("webhook_payload[1] is", badRowBody.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var runs = await server.Client.GetFromJsonAsync<JsonElement>("/workflows/runs", Ct);
        Assert.Equal(0, runs.GetArrayLength());
    }
}
