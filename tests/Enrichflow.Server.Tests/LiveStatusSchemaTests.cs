using System.Net.Http.Json;
using System.Text.Json;
using Enrichflow.Fakes;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests;

/// <summary>
/// Live status against Sixtyfour's own schema (docs/api.md §3): every property the schema types, during a run and
/// after it, has the schema's type (integers are integers, strings are strings, nullable ones may be null), every
/// required property is there, and names are the definition's.
/// </summary>
public sealed class LiveStatusSchemaTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly JsonElement Schemas = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Reference", "sixtyfour-live-status.schema.json")))
        .RootElement.GetProperty("components").GetProperty("schemas").Clone();

    // Sixtyfour's current names: company_enrichment (our enrich_company) after a COMPANY webhook, then a filter.
    private const string Definition = """
        {"blocks": [
          {"sequence_number": 1, "block_type": "webhook", "block_name": "webhook", "block_id": "companies", "specs": {"dataframe_type": "COMPANY"}},
          {"sequence_number": 2, "block_type": "company_enrichment", "block_name": "company_enrichment", "block_id": "enrich",
           "specs": {"company_field": "name", "provider": "s64", "return_fields": {"country": "Country of the headquarters"}}},
          {"sequence_number": 3, "block_type": "filter", "block_name": "filter", "block_id": "keep", "specs": {"expression": "len([name]) > 0"}}],
         "edges": [{"from_block_id": "companies", "to_block_id": "enrich"}, {"from_block_id": "enrich", "to_block_id": "keep"}]}
        """;

    [Fact]
    public async Task Live_status_during_and_after_a_run_has_every_type_of_Sixtyfours_schema()
    {
        await using var fake = await FakeProviderServer.StartAsync(new FakeProviderOptions { LatencyMin = TimeSpan.FromSeconds(1), LatencyMax = TimeSpan.FromSeconds(1) }, Ct);
        var settings = new Dictionary<string, string?>(fake.ProviderConfiguration("s64", "sixtyfour"), StringComparer.OrdinalIgnoreCase)
        {
            ["Engine:ChunkSize"] = "10",
            ["Providers:s64:MaxConcurrency"] = "1",
        };
        await using var server = await TestServer.StartAsync(settings);
        var workflow = await server.CreateWorkflowAsync(Definition);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = Enumerable.Range(0, 4).Select(i => new { name = $"Company {i}" }).ToArray() });

        // During: the source is done and the enrichment under way (one call at a time, a second each).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        JsonElement during;
        while (true)
        {
            during = await server.Client.GetFromJsonAsync<JsonElement>($"/workflows/runs/{runId}/live_status", Ct);
            var statuses = during.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("status").GetString()).ToList();
            if (statuses is ["completed", "running", "pending"])
            {
                break;
            }

            Assert.True(DateTime.UtcNow < deadline && during.GetProperty("overall_status").GetString() is "queued" or "running",
                $"the run was never seen enriching: {during}");
            await Task.Delay(20, Ct);
        }

        Assert.Equal("running", during.GetProperty("overall_status").GetString());
        AssertMatches(during, Schema("WorkflowLiveStatusResponse"), "$");
        Assert.Equal(("company_enrichment", 2), (during.GetProperty("current_block").GetString(), during.GetProperty("current_block_sequence").GetInt32()));
        Assert.Equal(JsonValueKind.Null, during.GetProperty("estimation_blocked_by").ValueKind);
        var filter = during.GetProperty("blocks")[2];
        Assert.Equal((0, 0), (filter.GetProperty("total_count").GetInt64(), filter.GetProperty("metrics").GetProperty("total_count").GetInt64()));

        // After.
        var after = await server.WaitForRunAsync(runId, TimeSpan.FromSeconds(60));
        Assert.Equal("completed", after.GetProperty("overall_status").GetString());
        AssertMatches(after, Schema("WorkflowLiveStatusResponse"), "$");
        Assert.Equal(JsonValueKind.Null, after.GetProperty("current_block").ValueKind);
        var blocks = after.GetProperty("blocks").EnumerateArray().ToList();
        Assert.Equal(["webhook", "company_enrichment", "filter"], blocks.Select(b => b.GetProperty("block_name").GetString()));
        Assert.Equal(["COMPANY", "COMPANY", "COMPANY"], blocks.Select(b => b.GetProperty("metrics").GetProperty("dataframe_type").GetString()));
        Assert.Equal([4, 4], blocks.Take(2).Select(b => b.GetProperty("total_count").GetInt64()));
        Assert.Equal(blocks[1].GetProperty("metrics").GetProperty("row_count").GetInt64(), blocks[2].GetProperty("total_count").GetInt64());
        Assert.All(blocks, b => Assert.Equal(b.GetProperty("total_count").GetInt64(), b.GetProperty("metrics").GetProperty("total_count").GetInt64()));
    }

    [Fact]
    public async Task A_block_whose_kind_no_block_fixes_reports_LEAD()
    {
        await using var server = await TestServer.StartAsync();
        var workflow = await server.CreateWorkflowAsync(Definitions.WebhookOnly);
        var runId = await server.StartRunAsync(workflow, new { webhook_payload = new { a = 1 } });
        var live = await server.WaitForRunAsync(runId);
        AssertMatches(live, Schema("WorkflowLiveStatusResponse"), "$");
        Assert.Equal("LEAD", live.GetProperty("blocks")[0].GetProperty("metrics").GetProperty("dataframe_type").GetString());
    }

    private static JsonElement Schema(string name) => Schemas.GetProperty(name);

    /// <summary>Checks <paramref name="value"/> against an OpenAPI schema object: <c>$ref</c>, <c>anyOf</c>, <c>type</c>, <c>required</c>, <c>properties</c>, <c>items</c>.</summary>
    private static void AssertMatches(JsonElement value, JsonElement schema, string path)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            AssertMatches(value, Schema(reference.GetString()!.Split('/')[^1]), path);
            return;
        }

        if (schema.TryGetProperty("anyOf", out var choices))
        {
            var failures = new List<string>();
            foreach (var choice in choices.EnumerateArray())
            {
                try
                {
                    AssertMatches(value, choice, path);
                    return;
                }
                catch (Xunit.Sdk.XunitException e)
                {
                    failures.Add(e.Message);
                }
            }

            Assert.Fail($"{path} matches none of anyOf: {string.Join(" | ", failures)}");
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var ok = type.GetString() switch
            {
                "string" => value.ValueKind == JsonValueKind.String,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "number" => value.ValueKind == JsonValueKind.Number,
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "array" => value.ValueKind == JsonValueKind.Array,
                "object" => value.ValueKind == JsonValueKind.Object,
                "null" => value.ValueKind == JsonValueKind.Null,
                var other => throw new InvalidOperationException($"schema type {other} is not handled"),
            };
            Assert.True(ok, $"{path} should be {type.GetString()} but is {value.ValueKind}: {value.GetRawText()}");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray())
                {
                    Assert.True(value.TryGetProperty(name.GetString()!, out _), $"{path} lacks required '{name.GetString()}'");
                }
            }

            if (schema.TryGetProperty("properties", out var properties))
            {
                foreach (var property in properties.EnumerateObject())
                {
                    Assert.True(value.TryGetProperty(property.Name, out var field), $"{path} lacks '{property.Name}' (the schema types it)");
                    AssertMatches(field, property.Value, $"{path}.{property.Name}");
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                AssertMatches(item, items, $"{path}[{i++}]");
            }
        }
    }
}
