using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Enrichflow.Server.Tests.Infrastructure;

namespace Enrichflow.Server.Tests.Fuzz;

/// <summary>
/// Property-based fuzzing of a real server (CsCheck): thousands of generated definitions, run bodies, uploads, query
/// values, ids and tampered download tokens, after the saved corpus in <c>Fuzz/corpus</c> (inputs that found bugs
/// once, replayed first). The property is always the same: no answer is a 5xx or an error without a JSON detail, no
/// request hangs, every run started reaches a terminal state, and afterwards the server is ready and a known run
/// gives the right output. A failure prints CsCheck's seed; <c>ENRICHFLOW_FUZZ_SCALE=10</c> runs ten times as many.
/// </summary>
public sealed class FuzzTests
{
    private static readonly string[] Sources = ["webhook", "read_csv", "read_notebook"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string CorpusDirectory(string kind) => Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", kind);

    private static IEnumerable<string> CorpusFiles(string kind) =>
        Directory.Exists(CorpusDirectory(kind)) ? Directory.EnumerateFiles(CorpusDirectory(kind)).Order(StringComparer.Ordinal) : [];

    [Fact]
    public async Task Definitions_never_answer_5xx_and_the_valid_ones_create_and_run_to_an_end()
    {
        await using var kit = await FuzzKit.StartAsync(Ct);
        var valid = 0;
        async Task CheckAsync(JsonNode? definition)
        {
            var (status, body) = await kit.PostJsonAsync("/workflows/validate", new JsonObject { ["workflow_definition"] = definition?.DeepClone() }, Ct);
            Assert.True(status is HttpStatusCode.OK or HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity, $"validate answered {(int)status}: {body}");
            var (created, createdBody) = await kit.PostJsonAsync("/workflows/create_workflow", new JsonObject { ["workflow_name"] = "fuzz", ["workflow_definition"] = definition?.DeepClone() }, Ct);
            Assert.True((status == HttpStatusCode.OK) == (created == HttpStatusCode.OK), $"validate answered {(int)status} but create {(int)created}: {body} / {createdBody}");
            if (created != HttpStatusCode.OK)
            {
                return;
            }

            Interlocked.Increment(ref valid);
            var id = JsonNode.Parse(createdBody)!["id"]!.GetValue<string>();
            var rows = new JsonArray(
                new JsonObject { ["email"] = "ada@example.com", ["name"] = "Ada Lovelace", ["company"] = "Analytical", ["domain"] = "example.com", ["country"] = "DE", ["score"] = 70 },
                new JsonObject { ["email"] = "not an email", ["name"] = "", ["phone"] = "+1 650 253 0000", ["country"] = "US", ["score"] = "x" });
            var (started, startedBody) = await kit.PostJsonAsync($"/workflows/run?workflow_id={id}", new JsonObject { ["webhook_payload"] = rows }, Ct);
            kit.Track(started, startedBody);
        }

        foreach (var file in CorpusFiles("definitions"))
        {
            await CheckAsync(JsonNode.Parse(await File.ReadAllTextAsync(file, Ct)));
        }

        await FuzzGen.Definition(kit.Catalogue).SampleAsync(CheckAsync, iter: FuzzKit.Iterations(1500), threads: 2, print: FuzzGen.Print);
        await kit.AssertHealthyAsync(Ct);
        TestContext.Current.SendDiagnosticMessage($"definitions: {kit.Requests} requests, {valid} valid definitions, {kit.TrackedRuns} runs ({kit.CancelledAtEnd} cancelled at the end)");
        Assert.True(valid > 20, $"only {valid} generated definitions were valid: the generator no longer reaches the engine");
    }

    [Fact]
    public async Task Run_bodies_never_answer_5xx_and_every_started_run_ends()
    {
        await using var kit = await FuzzKit.StartAsync(Ct);
        var workflows = await CatalogueWorkflowsAsync(kit);
        var body = Gen.Frequency(
            (6, FuzzGen.Payload.Select(p => (JsonNode?)new JsonObject { ["webhook_payload"] = p })),
            (2, Gen.Select(FuzzGen.Payload, FuzzGen.Json(2), FuzzGen.Json(1), FuzzGen.Json(0),
                (payload, overrides, cache, credits) => (JsonNode?)new JsonObject { ["webhook_payload"] = payload, ["specs_override"] = overrides, ["cache_config"] = cache, ["max_credits"] = credits })),
            (1, FuzzGen.Json(3)));
        var request = Gen.Select(Gen.Int[0, workflows.Count - 1], body, Gen.OneOf("", "&result_formats=json", "&result_formats=ndjson,json", "&result_formats=xml", "&save_json=true", "&save_json=maybe", "&result_formats="),
            Gen.Frequency((4, Gen.Const<string?>(() => null)), (1, Gen.String[Gen.Char.AlphaNumeric, 1, 30].Select(s => (string?)s))), Gen.Int[0, 9]);
        var started = 0;
        async Task CheckAsync((int Workflow, JsonNode? Body, string Query, string? Key, int Flavour) r)
        {
            var message = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflows[r.Workflow]}{r.Query}")
            {
                Content = r.Flavour == 0
                    ? new StringContent(FuzzGen.Print(r.Body)[..^Math.Min(3, FuzzGen.Print(r.Body).Length)], Encoding.UTF8, "application/json")
                    : new StringContent(r.Body?.ToJsonString() ?? "null", Encoding.UTF8, r.Flavour == 1 ? "text/plain" : "application/json"),
            };
            if (r.Key is not null)
            {
                message.Headers.Add("Idempotency-Key", r.Key);
            }

            var (status, text) = await kit.SendAsync(message, Ct);
            if (kit.Track(status, text) is not null)
            {
                Interlocked.Increment(ref started);
            }
        }

        foreach (var file in CorpusFiles("payloads"))
        {
            // As text: some are deeper than a JsonNode may be parsed, which is the point of them.
            var payload = (await File.ReadAllTextAsync(file, Ct)).Trim();
            foreach (var workflow in workflows)
            {
                var message = new HttpRequestMessage(HttpMethod.Post, $"/workflows/run?workflow_id={workflow}")
                {
                    Content = new StringContent($"{{\"webhook_payload\": {payload}}}", Encoding.UTF8, "application/json"),
                };
                var (status, text) = await kit.SendAsync(message, Ct);
                kit.Track(status, text);
            }
        }

        await request.SampleAsync(CheckAsync, iter: FuzzKit.Iterations(600), threads: 2, print: r => $"{workflows[r.Item1]} {r.Item3} key={r.Item4} flavour={r.Item5} {FuzzGen.Print(r.Item2)}");
        await kit.AssertHealthyAsync(Ct);
        TestContext.Current.SendDiagnosticMessage($"run bodies: {kit.Requests} requests over {workflows.Count} workflows, {started} runs");
        Assert.True(started > 50, $"only {started} generated bodies started a run");
    }

    [Fact]
    public async Task Uploads_never_answer_5xx_and_the_accepted_ones_run_to_an_end()
    {
        await using var kit = await FuzzKit.StartAsync(Ct);
        var plain = await kit.CreateWorkflowAsync(Definitions.ReadCsvOnly);
        var validating = await kit.CreateWorkflowAsync("""
            {"blocks": [
              {"sequence_number": 1, "block_name": "read_csv", "block_id": "input", "specs": {}},
              {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}},
              {"sequence_number": 3, "block_name": "deduplicate", "block_id": "once", "specs": {}}],
             "edges": [{"from_block_id": "input", "to_block_id": "check"}, {"from_block_id": "check", "to_block_id": "once"}]}
            """);
        var overrides = Gen.Frequency(
            (4, Gen.Const<JsonNode?>(() => null)),
            (1, Gen.Select(Gen.OneOf(",", ";", "\t", "", "ab", "\""), Gen.Bool, (d, strict) => (JsonNode?)new JsonObject { ["delimiter"] = d, ["strict"] = strict })),
            (1, FuzzGen.Json(1)));
        var accepted = 0;
        async Task CheckAsync(((string Name, byte[] Content) File, bool Validating, JsonNode? Extra) u)
        {
            var (status, body) = await kit.UploadAsync(u.File.Name, u.File.Content, Ct);
            if (status != HttpStatusCode.OK)
            {
                Assert.True((int)status is >= 400 and < 500, $"upload answered {(int)status}: {body}");
                return;
            }

            Interlocked.Increment(ref accepted);
            var handle = JsonNode.Parse(body)!["handle_id"]!.GetValue<string>();
            var specs = u.Extra as JsonObject ?? [];
            specs["resource_handle_id"] = handle;
            var (started, startedBody) = await kit.PostJsonAsync($"/workflows/run?workflow_id={(u.Validating ? validating : plain)}&result_formats=ndjson", new JsonObject { ["specs_override"] = specs }, Ct);
            kit.Track(started, startedBody);
        }

        foreach (var file in CorpusFiles("uploads"))
        {
            await CheckAsync(((Path.GetFileName(file), await File.ReadAllBytesAsync(file, Ct)), true, null));
        }

        await Gen.Select(FuzzGen.Upload, Gen.Bool, overrides).SampleAsync(CheckAsync, iter: FuzzKit.Iterations(400), threads: 2, print: u => $"{u.Item1.Name} {FuzzGen.Print(u.Item1.Content)} {FuzzGen.Print(u.Item3)}");
        await kit.AssertHealthyAsync(Ct);
        TestContext.Current.SendDiagnosticMessage($"uploads: {kit.Requests} requests, {accepted} accepted, {kit.TrackedRuns} runs");
        Assert.True(accepted > 50, $"only {accepted} generated uploads were accepted");
    }

    [Fact]
    public async Task Query_values_ids_and_keys_never_answer_5xx()
    {
        await using var kit = await FuzzKit.StartAsync(Ct);
        var workflow = await kit.CreateWorkflowAsync(Definitions.WebhookValidate);
        var run = await kit.Server.StartRunAsync(workflow, new { webhook_payload = new[] { new { email = "a@example.com" } } });
        await kit.Server.WaitForRunAsync(run);
        var readOnly = kit.Server.NewClient(await kit.Server.CreateKeyAsync("default", readOnly: true));
        readOnly.Timeout = TimeSpan.FromSeconds(30);
        var stranger = kit.Server.NewClient(await kit.Server.CreateKeyAsync("other-org"));
        stranger.Timeout = TimeSpan.FromSeconds(30);
        var anonymous = kit.Server.NewClient(null);
        var wrong = kit.Server.NewClient("ef_live_not_a_key");
        HttpClient[] clients = [kit.Client, kit.Client, kit.Client, kit.Client, readOnly, stranger, anonymous, wrong];

        string[] routes =
        [
            "GET /workflows", "GET /workflows/{id}", "GET /workflows/blocks", "GET /workflows/runs?status={q}&workflow_id={q}&limit={q}",
            "GET /workflows/runs/{id}", "GET /workflows/runs/{id}/live_status", "GET /workflows/runs/{id}/results/download-links?format={q}&include_rejects={q}",
            "POST /workflows/cancel?job_id={id}", "POST /workflows/resume?job_id={id}", "POST /workflows/delete_workflow?workflow_id={id}",
            "POST /workflows/update_workflow?workflow_id={id}", "POST /workflows/estimate?workflow_id={id}", "POST /workflows/run?workflow_id={id}",
            "POST /workflows/create_workflow", "POST /workflows/validate", "GET /notebooks", "GET /notebooks/{id}", "GET /notebooks/{id}/download-links?format={q}",
            "DELETE /notebooks/{id}", "GET /schedules?workflow_id={q}", "GET /schedules/{id}", "POST /schedules", "POST /schedules/{id}", "DELETE /schedules/{id}",
            "GET /usage?from={q}&to={q}", "GET /providers", "GET /webhooks/signing-secret", "POST /webhooks/signing-secret/roll", "DELETE /webhooks/signing-secret",
            "GET /downloads/{id}", "POST /workflows/interactive/start", "POST /workflows/interactive/{id}/add-block", "GET /workflows/interactive/{id}/state",
            "GET /workflows/interactive/{id}/output?block_id={q}", "POST /workflows/interactive/{id}/finish", "POST /workflows/interactive/{id}/save",
            "GET /healthz", "GET /readyz", "GET /{id}", "PUT /workflows/{id}", "PATCH /workflows/runs/{id}",
        ];
        var id = Gen.Frequency((5, FuzzGen.Id), (1, Gen.OneOf(workflow, run, run.ToUpperInvariant(), run + "x", "interactive", "default")));
        var request = Gen.Select(Gen.Int[0, routes.Length - 1], id, FuzzGen.Text.List[3], Gen.Int[0, clients.Length - 1], FuzzGen.Json(2), Gen.Int[0, 5]);
        async Task CheckAsync((int Route, string Id, List<string> Values, int Client, JsonNode? Body, int Flavour) r)
        {
            var (method, template) = (routes[r.Route].Split(' ')[0], routes[r.Route].Split(' ')[1]);
            var values = new Queue<string>(r.Values);
            var path = template.Replace("{id}", r.Flavour == 0 ? r.Id : Uri.EscapeDataString(r.Id), StringComparison.Ordinal);
            while (path.Contains("{q}", StringComparison.Ordinal))
            {
                var value = values.Count > 0 ? values.Dequeue() : "";
                var at = path.IndexOf("{q}", StringComparison.Ordinal);
                path = path[..at] + Uri.EscapeDataString(value) + path[(at + 3)..];
            }

            Uri uri;
            try
            {
                uri = new Uri(new Uri(kit.Server.BaseUrl), path);
            }
            catch (UriFormatException)
            {
                return;
            }

            var message = new HttpRequestMessage(new HttpMethod(method), uri);
            if (method != "GET" && r.Flavour != 1)
            {
                message.Content = new StringContent(r.Body?.ToJsonString() ?? "null", Encoding.UTF8, "application/json");
            }

            await kit.SendAsync(message, Ct, clients[r.Client]);
        }

        foreach (var file in CorpusFiles("requests"))
        {
            foreach (var line in (await File.ReadAllLinesAsync(file, Ct)).Where(l => l.Length > 0 && !l.StartsWith('#')))
            {
                var parts = line.Replace("{run}", run, StringComparison.Ordinal).Replace("{workflow}", workflow, StringComparison.Ordinal).Split(' ', 3);
                var message = new HttpRequestMessage(new HttpMethod(parts[0]), new Uri(new Uri(kit.Server.BaseUrl), parts[1]));
                if (parts.Length == 3)
                {
                    message.Content = new StringContent(parts[2], Encoding.UTF8, "application/json");
                }

                await kit.SendAsync(message, Ct);
            }
        }

        await request.SampleAsync(CheckAsync, iter: FuzzKit.Iterations(2500), threads: 2,
            print: r => $"{routes[r.Item1]} id={FuzzGen.Print(r.Item2)} values=[{string.Join(" | ", r.Item3.Select(FuzzGen.Print))}] client={r.Item4} flavour={r.Item6} body={FuzzGen.Print(r.Item5)}");
        await kit.AssertHealthyAsync(Ct);
        TestContext.Current.SendDiagnosticMessage($"queries and ids: {kit.Requests} requests");
    }

    [Fact]
    public async Task Tampered_download_tokens_are_refused_and_never_serve_another_file()
    {
        await using var kit = await FuzzKit.StartAsync(Ct);
        var workflow = await kit.CreateWorkflowAsync(Definitions.WebhookValidate);
        var run = await kit.Server.StartRunAsync(workflow, new { webhook_payload = new[] { new { email = "a@example.com" }, new { email = "b@example.com" } } }, "&result_formats=json");
        await kit.Server.WaitForRunAsync(run);
        var links = await kit.Server.DownloadLinksAsync(run, "json");
        var url = new Uri(links.EnumerateArray().Last().GetProperty("download_url").GetString()!);
        var token = url.Segments[^1];
        using var anonymous = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var original = await anonymous.GetStringAsync(url, Ct);
        var mutation = Gen.Select(Gen.Int[0, 5], Gen.Int[0, 10_000], Gen.Char[".-_~=+/%0AZaz9 "], FuzzGen.Text);
        var refused = 0;
        async Task CheckAsync((int Kind, int At, char Char, string Text) m)
        {
            var at = m.At % token.Length;
            var tampered = m.Kind switch
            {
                0 => token[..at] + m.Char + token[(at + 1)..],
                1 => token[..at],
                2 => token + m.Char,
                3 => token[..at] + m.Char + token[at..],
                4 => Uri.EscapeDataString(m.Text),
                _ => token[at..] + token[..at],
            };
            var target = new Uri(url, $"/downloads/{tampered}{url.Query}");
            var (status, body) = await kit.SendAsync(new HttpRequestMessage(HttpMethod.Get, target), Ct, anonymous);
            if (status == HttpStatusCode.OK)
            {
                // Only the same file: base64url's optional padding or a trailing slash may still name the same token.
                Assert.Equal(original, body);
            }
            else
            {
                Interlocked.Increment(ref refused);
            }
        }

        await mutation.SampleAsync(CheckAsync, iter: FuzzKit.Iterations(800), threads: 2, print: m => m.ToString());
        await kit.AssertHealthyAsync(Ct);
        Assert.True(refused > 700 * Math.Min(1, FuzzKit.Scale), $"only {refused} tampered tokens were refused");
    }

    /// <summary>
    /// The fixed workflows run bodies go through: a cleaning pipeline, a strict schema, and for each row block of the
    /// catalogue a webhook feeding it with its own example specs (those that create against this server).
    /// </summary>
    private static async Task<List<string>> CatalogueWorkflowsAsync(FuzzKit kit)
    {
        var workflows = new List<string>
        {
            await kit.CreateWorkflowAsync("""
                {"blocks": [
                  {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {}},
                  {"sequence_number": 2, "block_name": "validate_email", "block_id": "check", "specs": {"check_mx": false}},
                  {"sequence_number": 3, "block_name": "validate_phone", "block_id": "phone", "specs": {}},
                  {"sequence_number": 4, "block_name": "filter", "block_id": "keep", "specs": {"expression": "[email_status] != 'invalid'"}},
                  {"sequence_number": 5, "block_name": "transform", "block_id": "shape", "specs": {"operations": [{"op": "upper", "column": "name"}, {"op": "extract_domain", "column": "email", "into": "domain"}]}}],
                 "edges": [{"from_block_id": "input", "to_block_id": "check"}, {"from_block_id": "check", "to_block_id": "phone"},
                           {"from_block_id": "phone", "to_block_id": "keep"}, {"from_block_id": "keep", "to_block_id": "shape"}]}
                """),
            await kit.CreateWorkflowAsync("""
                {"blocks": [
                  {"sequence_number": 1, "block_name": "webhook", "block_id": "input", "specs": {"strict": true, "input_schema": {"email": {"type": "string", "required": true}}}},
                  {"sequence_number": 2, "block_name": "deduplicate", "block_id": "once", "specs": {"key_fields": ["email"]}}],
                 "edges": [{"from_block_id": "input", "to_block_id": "once"}]}
                """),
        };
        foreach (var block in kit.Catalogue.Where(b => !Sources.Contains(b.Name) && b.Example is not null))
        {
            var definition = new JsonObject
            {
                ["blocks"] = new JsonArray(
                    new JsonObject { ["sequence_number"] = 1, ["block_name"] = "webhook", ["block_id"] = "input", ["specs"] = new JsonObject() },
                    new JsonObject { ["sequence_number"] = 2, ["block_name"] = block.Name, ["block_id"] = "step", ["specs"] = block.Example!.DeepClone() }),
                ["edges"] = new JsonArray(new JsonObject { ["from_block_id"] = "input", ["to_block_id"] = "step" }),
            };
            var response = await kit.Client.PostAsJsonAsync("/workflows/create_workflow", new JsonObject { ["workflow_name"] = block.Name, ["workflow_definition"] = definition }, Ct);
            if (response.IsSuccessStatusCode)
            {
                workflows.Add((await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!);
            }
        }

        Assert.True(workflows.Count > 15, $"only {workflows.Count} catalogue workflows could be created");
        return workflows;
    }
}
