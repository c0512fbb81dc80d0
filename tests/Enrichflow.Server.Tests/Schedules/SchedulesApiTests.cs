using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Schedules;

/// <summary>The schedules routes (docs/api.md §10): their shapes and every bad input, each answered with its code and the field it names.</summary>
public sealed class SchedulesApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object Body(string workflow, string cron = "0 9 * * MON-FRI", string timezone = "Europe/Berlin") => new
    {
        workflow_id = workflow,
        name = "weekday mornings",
        description = "nine o'clock in Berlin",
        cron_expression = cron,
        timezone,
        is_active = true,
        webhook_payload = new object[] { new { email = "ada@example.com" } },
    };

    [Fact]
    public async Task Create_get_list_update_and_delete_a_schedule()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookValidate);
        var other = await server.CreateWorkflowAsync(Definitions.WebhookOnly);

        var response = await server.Client.PostAsJsonAsync("/schedules", Body(workflow), Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal($"/schedules/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal((workflow, "default", "weekday mornings", "0 9 * * MON-FRI", "Europe/Berlin", true),
            (created.GetProperty("workflow_id").GetString(), created.GetProperty("org_id").GetString(), created.GetProperty("name").GetString(),
             created.GetProperty("cron_expression").GetString(), created.GetProperty("timezone").GetString(), created.GetProperty("is_active").GetBoolean()));
        Assert.Equal("ada@example.com", created.GetProperty("webhook_payload")[0].GetProperty("email").GetString());
        var next = DateTimeOffset.Parse(created.GetProperty("next_run").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(next > DateTimeOffset.UtcNow);
        Assert.Equal(9, TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin")).Hour);
        Assert.Equal(JsonValueKind.Null, created.GetProperty("last_run").ValueKind);

        Assert.Equal(created.GetRawText(), (await server.Client.GetFromJsonAsync<JsonElement>($"/schedules/{id}", Ct)).GetRawText());
        Assert.Single((await server.Client.GetFromJsonAsync<JsonElement>($"/schedules?workflow_id={workflow}", Ct)).EnumerateArray());
        Assert.Empty((await server.Client.GetFromJsonAsync<JsonElement>($"/schedules?workflow_id={other}", Ct)).EnumerateArray());
        Assert.Single((await server.Client.GetFromJsonAsync<JsonElement>("/schedules", Ct)).EnumerateArray());

        var update = await server.Client.PostAsJsonAsync($"/schedules/{id}", new { name = "renamed", is_active = false }, Ct);
        Assert.Equal(HttpStatusCode.OK, update.StatusCode);
        var updated = await update.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(("renamed", false, "0 9 * * MON-FRI", "nine o'clock in Berlin"),
            (updated.GetProperty("name").GetString(), updated.GetProperty("is_active").GetBoolean(), updated.GetProperty("cron_expression").GetString(), updated.GetProperty("description").GetString()));
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("next_run").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await server.Client.DeleteAsync($"/schedules/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/schedules/{id}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.DeleteAsync($"/schedules/{id}", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("not a cron")]
    [InlineData("61 * * * *")]
    [InlineData("* * * *")]
    public async Task A_cron_expression_that_does_not_parse_is_400_naming_cron_expression(string cron)
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await server.Client.PostAsJsonAsync("/schedules", Body(workflow, cron: cron), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"cron_expression '{cron}'", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_time_zone_that_does_not_exist_is_400_naming_timezone()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await server.Client.PostAsJsonAsync("/schedules", Body(workflow, timezone: "Mars/Olympus_Mons"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("timezone 'Mars/Olympus_Mons'", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_update_to_a_bad_cron_expression_or_time_zone_is_400_and_changes_nothing()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var created = await ScheduleRunTests.CreateAsync(server, workflow, "* * * * *");
        var id = created.GetProperty("id").GetString()!;

        var cron = await server.Client.PostAsJsonAsync($"/schedules/{id}", new { cron_expression = "every day" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, cron.StatusCode);
        Assert.Contains("cron_expression", await DetailAsync(cron), StringComparison.Ordinal);
        var zone = await server.Client.PostAsJsonAsync($"/schedules/{id}", new { timezone = "Nowhere/Special" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, zone.StatusCode);
        Assert.Contains("timezone", await DetailAsync(zone), StringComparison.Ordinal);
        Assert.Equal(created.GetRawText(), (await server.Client.GetFromJsonAsync<JsonElement>($"/schedules/{id}", Ct)).GetRawText());
    }

    [Fact]
    public async Task An_unknown_workflow_id_is_404()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/schedules", Body("no-such-workflow"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Workflow not found", await DetailAsync(response));
    }

    [Fact]
    public async Task A_schedule_of_another_organization_is_404_everywhere()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var id = (await ScheduleRunTests.CreateAsync(server, workflow, "* * * * *")).GetProperty("id").GetString()!;
        using var other = server.NewClient(await server.CreateKeyAsync("acme"));

        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/schedules/{id}", Ct)).StatusCode);
        var update = await other.PostAsJsonAsync($"/schedules/{id}", new { name = "mine now" }, Ct);
        Assert.Equal(HttpStatusCode.NotFound, update.StatusCode);
        Assert.Equal("Schedule not found", await DetailAsync(update));
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/schedules/{id}", Ct)).StatusCode);
        Assert.Empty((await other.GetFromJsonAsync<JsonElement>("/schedules", Ct)).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsJsonAsync("/schedules", Body(workflow), Ct)).StatusCode);
        Assert.Equal("every minute", (await server.Client.GetFromJsonAsync<JsonElement>($"/schedules/{id}", Ct)).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_body_without_required_fields_is_422_naming_them()
    {
        await using var server = await TestServer.StartAsync();
        var response = await server.Client.PostAsJsonAsync("/schedules", new { name = 5 }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var locs = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").EnumerateArray()
            .Select(e => e.GetProperty("loc")[1].GetString()).ToList();
        Assert.Equal(["name", "workflow_id", "cron_expression"], locs);
    }

    [Fact]
    public async Task A_payload_element_that_is_not_an_object_is_400_naming_its_index()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await server.Client.PostAsJsonAsync("/schedules",
            new { workflow_id = workflow, name = "x", cron_expression = "* * * * *", webhook_payload = new object[] { new { a = 1 }, "text" } }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("webhook_payload[1]", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_webhook_workflow_without_a_payload_is_400()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var response = await server.Client.PostAsJsonAsync("/schedules", new { workflow_id = workflow, name = "x", cron_expression = "* * * * *" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("needs a webhook_payload", await DetailAsync(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_workflow_deletes_its_schedules()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly, "scheduled");
        var id = (await ScheduleRunTests.CreateAsync(server, workflow, "* * * * *")).GetProperty("id").GetString()!;

        Assert.Equal(HttpStatusCode.OK, (await server.Client.PostAsync($"/workflows/delete_workflow?workflow_id={workflow}", null, Ct)).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await server.Client.GetAsync($"/schedules/{id}", Ct)).StatusCode);
        await server.CreateWorkflowAsync(Definitions.WebhookOnly, "scheduled");
        Assert.Empty((await server.Client.GetFromJsonAsync<JsonElement>("/schedules?workflow_id=scheduled", Ct)).EnumerateArray());
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!;
}
