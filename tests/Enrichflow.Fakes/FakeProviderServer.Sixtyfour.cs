using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Enrichflow.Fakes;

/// <summary>Sixtyfour's enrichment API, as docs/api.md §8.1 describes it.</summary>
public sealed partial class FakeProviderServer
{
    private void MapSixtyfour(IEndpointRouteBuilder app)
    {
        app.MapPost("/enrich-company", http => EnrichAsync(http, "target_company", asJob: false));
        app.MapPost("/enrich-company-async", http => EnrichAsync(http, "target_company", asJob: true));
        app.MapPost("/enrich-lead", http => EnrichAsync(http, "lead_info", asJob: false));
        app.MapPost("/enrich-lead-async", http => EnrichAsync(http, "lead_info", asJob: true));
        app.MapPost("/find-email", FindEmailAsync);
        app.MapPost("/find-phone", FindPhoneAsync);
        app.MapGet("/job-status/{taskId}", JobStatusAsync);
    }

    private bool SixtyfourKeyOk(HttpContext http, string? expected) =>
        expected is null || http.Request.Headers["x-api-key"] == expected;

    /// <summary>A company's key: its domain (or website's), else its name; a person's: email, else name.</summary>
    private static string? KeyOf(JsonObject? subject, bool company) => company
        ? Text(subject, "domain") ?? Text(subject, "website") ?? Text(subject, "company_name") ?? Text(subject, "name")
        : Text(subject, "email") ?? Text(subject, "name") ?? Text(subject, "full_name") ?? Text(subject, "linkedin") ?? Text(subject, "linkedin_url");

    private static string? Text(JsonObject? subject, string name) =>
        subject?[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Trim().Length > 0 ? FakeData.Key(text) : null;

    private async Task EnrichAsync(HttpContext http, string subjectName, bool asJob)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        var company = subjectName == "target_company";
        var key = KeyOf(body?[subjectName] as JsonObject, company);
        if (body?["struct"] is not JsonObject fields || key is null)
        {
            lock (_gate)
            {
                Record(http, key, body, isPoll: false);
            }

            await WriteJsonAsync(http, 422, new JsonObject { ["detail"] = $"{subjectName} and struct are required" });
            return;
        }

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), async reply =>
        {
            var result = Enrichment(key, fields, company && body["find_people"]?.GetValueKind() == System.Text.Json.JsonValueKind.True, reply);
            if (!asJob)
            {
                await WriteJsonAsync(http, 200, result);
                return;
            }

            var taskId = "task_" + Interlocked.Increment(ref _nextJob).ToString(CultureInfo.InvariantCulture);
            lock (_gate)
            {
                _jobs[taskId] = new FakeJob(result, _pollsUntilDone, reply?.Kind == FakeReplyKind.JobFailed ? reply.Detail ?? "job failed" : null);
            }

            await WriteJsonAsync(http, 200, new JsonObject { ["task_id"] = taskId, ["status"] = "pending" });
        });
    }

    /// <summary><c>{notes, structured_data, references, confidence_score}</c> for the key, every struct field typed as its description says.</summary>
    private JsonObject Enrichment(string key, JsonObject fields, bool findPeople, FakeReply? reply)
    {
        var seed = Seed;
        var found = FakeData.IsFound(seed, key, HitPercent);
        var data = new JsonObject();
        var first = true;
        foreach (var (field, description) in fields)
        {
            var type = FakeData.TypeInDescription(description);
            data[field] = reply?.Kind == FakeReplyKind.SchemaViolation && first ? FakeData.WrongValue(type)
                : found ? FakeData.Value(seed, key, field, type)
                : null;
            first = false;
        }

        if (findPeople)
        {
            data["leads"] = found ? FakeData.People(seed, key) : new JsonArray();
        }

        var domain = FakeData.DomainOf(key);
        return new JsonObject
        {
            ["notes"] = found ? $"Researched {FakeData.DisplayName(key)} on its website and LinkedIn." : $"Could not find reliable information about {key}.",
            ["structured_data"] = data,
            ["findings"] = new JsonArray(),
            ["references"] = found
                ? new JsonObject { [$"https://{domain}/about"] = "Company about page", [$"https://www.linkedin.com/company/{FakeData.Slug(FakeData.DisplayName(key))}"] = "LinkedIn page" }
                : new JsonObject(),
            ["confidence_score"] = found ? 7 + (FakeData.Hash(seed, key, "confidence") % 30) / 10.0 : 0.0,
        };
    }

    private async Task JobStatusAsync(HttpContext http)
    {
        var taskId = http.Request.RouteValues["taskId"]?.ToString() ?? "";
        FakeJob? job;
        string state;
        lock (_gate)
        {
            Record(http, null, null, isPoll: true);
            _polls++;
            job = _jobs.GetValueOrDefault(taskId);
            if (job is null)
            {
                state = "missing";
            }
            else if (job.PollsLeft > 0)
            {
                job.PollsLeft--;
                state = "processing";
            }
            else
            {
                state = job.Failure is null ? "completed" : "failed";
            }
        }

        if (!SixtyfourKeyOk(http, ApiKey))
        {
            await WriteJsonAsync(http, 401, new JsonObject { ["detail"] = "Invalid API key" });
            return;
        }

        await (state switch
        {
            "missing" => WriteJsonAsync(http, 404, new JsonObject { ["detail"] = $"Task {taskId} not found" }),
            "processing" => WriteJsonAsync(http, 200, new JsonObject { ["task_id"] = taskId, ["status"] = "processing" }),
            "failed" => WriteJsonAsync(http, 200, new JsonObject { ["task_id"] = taskId, ["status"] = "failed", ["error"] = job!.Failure }),
            _ => WriteJsonAsync(http, 200, new JsonObject { ["task_id"] = taskId, ["status"] = "completed", ["result"] = job!.Result.DeepClone() }),
        });
    }

    private async Task FindEmailAsync(HttpContext http)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        var lead = body?["lead"] as JsonObject;
        var key = KeyOf(lead, company: false);
        if (key is null)
        {
            await WriteJsonAsync(http, 422, new JsonObject { ["detail"] = "lead.name is required" });
            return;
        }

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
        {
            var found = FakeData.IsFound(Seed, key, HitPercent);
            var domain = Text(lead, "domain") ?? FakeData.DomainOf(Text(lead, "company") ?? key);
            var local = string.Join('.', (Text(lead, "name") ?? key).Split('@')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var personal = string.Equals(body!["mode"]?.ToString(), "PERSONAL", StringComparison.OrdinalIgnoreCase);
            JsonNode address = reply?.Kind == FakeReplyKind.SchemaViolation ? new JsonObject { ["unexpected"] = true } : $"{local}@{(personal ? "gmail.example" : domain)}";
            return WriteJsonAsync(http, 200, new JsonObject
            {
                ["name"] = Text(lead, "name"),
                ["email"] = found ? new JsonArray(new JsonArray(address, "OK", personal ? "PERSONAL" : "COMPANY")) : new JsonArray(),
                ["cost_cents"] = found ? (personal ? 20 : 5) : 0,
            });
        });
    }

    private async Task FindPhoneAsync(HttpContext http)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        var lead = body?["lead"] as JsonObject;
        var key = KeyOf(lead, company: false);
        if (key is null)
        {
            await WriteJsonAsync(http, 422, new JsonObject { ["detail"] = "lead.name is required" });
            return;
        }

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
        {
            var found = FakeData.IsFound(Seed, key, HitPercent);
            JsonNode phone = reply?.Kind == FakeReplyKind.SchemaViolation ? new JsonObject { ["unexpected"] = true }
                : found ? FakeData.Phone(Seed, key)
                : "";
            return WriteJsonAsync(http, 200, new JsonObject { ["name"] = Text(lead, "name"), ["phone"] = phone });
        });
    }
}
