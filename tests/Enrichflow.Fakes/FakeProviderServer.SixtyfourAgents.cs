using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Enrichflow.Fakes;

/// <summary>
/// Sixtyfour's reverse lookups and agents, with their request shapes (ReverseEmailRequest <c>{lead: {email}}</c>,
/// ReversePhoneRequest <c>{lead: {phone}}</c>, QAAgentRequest <c>{data, qualification_criteria, struct?}</c>,
/// ResearchAgentRequest <c>{input_data, struct?, research_plan?}</c>; 422 otherwise) and the <c>-async</c> variants
/// of the agents, answered through <c>/job-status/{task_id}</c> like the enrichment jobs.
/// </summary>
public sealed partial class FakeProviderServer
{
    private static readonly string[] Titles = ["Chief Executive Officer", "VP of Sales", "Head of Engineering", "Marketing Manager"];

    private static readonly string[] Locations = ["San Francisco, CA, US", "London, GB", "Berlin, DE", "Austin, TX, US"];

    private void MapSixtyfourAgents(IEndpointRouteBuilder app)
    {
        app.MapPost("/reverse-email", http => ReverseAsync(http, "email"));
        app.MapPost("/reverse-phone", http => ReverseAsync(http, "phone"));
        app.MapPost("/qa-agent", http => QaAgentAsync(http, asJob: false));
        app.MapPost("/qa-agent-async", http => QaAgentAsync(http, asJob: true));
        app.MapPost("/research-agent", http => ResearchAgentAsync(http, asJob: false));
        app.MapPost("/research-agent-async", http => ResearchAgentAsync(http, asJob: true));
    }

    private async Task ReverseAsync(HttpContext http, string field)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        var key = Text(body?["lead"] as JsonObject, field);
        if (key is null)
        {
            await UnprocessableAsync(http, body, $"lead.{field} is required");
            return;
        }

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
        {
            var found = FakeData.IsFound(Seed, key, HitPercent);
            var answer = new JsonObject { [field] = body!["lead"]![field]!.DeepClone() };
            var person = found ? Person(key, field) : null;
            foreach (var column in (string[])["name", "title", "company", "linkedin", "location"])
            {
                answer[column] = person?[column]?.DeepClone();
            }

            if (reply?.Kind == FakeReplyKind.SchemaViolation)
            {
                answer["name"] = new JsonObject { ["unexpected"] = true };
            }

            answer["cost_cents"] = found ? 5 : 0;
            return WriteJsonAsync(http, 200, answer);
        });
    }

    /// <summary>The person behind an email or a phone number, made up from the key.</summary>
    private JsonObject Person(string key, string field)
    {
        var seed = Seed;
        string[] names = ["Alex Rivera", "Sam Chen", "Jordan Patel", "Robin Novak"];
        var name = field == "email" ? FakeData.DisplayName(key) : names[FakeData.Hash(seed, key, "name") % (ulong)names.Length];
        var domain = field == "email" ? FakeData.DomainOf(key) : FakeData.Slug(name) + "-co.example";
        return new JsonObject
        {
            ["name"] = name,
            ["title"] = Titles[FakeData.Hash(seed, key, "title") % (ulong)Titles.Length],
            ["company"] = FakeData.DisplayName(domain),
            ["linkedin"] = $"https://www.linkedin.com/in/{FakeData.Slug(name)}",
            ["location"] = Locations[FakeData.Hash(seed, key, "location") % (ulong)Locations.Length],
        };
    }

    private async Task QaAgentAsync(HttpContext http, bool asJob)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        var data = body?["data"] as JsonObject;
        var criteria = body?["qualification_criteria"] as JsonArray;
        var key = data is null ? null : AgentKey(data);
        if (key is null || criteria is not { Count: > 0 } || criteria.Any(c => Text(c as JsonObject, "criteria_name") is null || Text(c as JsonObject, "description") is null))
        {
            await UnprocessableAsync(http, body, "data and qualification_criteria [{criteria_name, description, ...}] are required");
            return;
        }

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
        {
            var seed = Seed;
            var found = FakeData.IsFound(seed, key, HitPercent);
            var scores = new JsonArray();
            double sum = 0, weights = 0;
            var first = true;
            foreach (var criterion in criteria.OfType<JsonObject>())
            {
                var name = criterion["criteria_name"]!.GetValue<string>();
                var weight = criterion["weight"]?.GetValueKind() == JsonValueKind.Number ? criterion["weight"]!.GetValue<double>() : 1.0;
                var score = found ? (FakeData.Hash(seed, key, "qa", name) % 101) / 100.0 : 0.0;
                sum += weight * score;
                weights += weight;
                JsonNode value = reply?.Kind == FakeReplyKind.SchemaViolation && first && body!["struct"] is not JsonObject { Count: > 0 } ? "high" : score;
                first = false;
                scores.Add(new JsonObject { ["criteria_name"] = name, ["score"] = value, ["reason"] = $"{FakeData.DisplayName(key)} scored {score} on {name}." });
            }

            var result = new JsonObject
            {
                ["score"] = weights > 0 ? Math.Round(sum / weights, 4) : 0,
                ["criteria_scores"] = scores,
                ["structured_data"] = StructValues(key, body!["struct"] as JsonObject, found, reply),
                ["notes"] = found ? $"Evaluated {FakeData.DisplayName(key)} against {criteria.Count} criteria." : $"Could not find reliable information about {key}.",
                ["references"] = new JsonObject(),
            };
            return AnswerOrJobAsync(http, key, result, asJob, reply);
        });
    }

    private async Task ResearchAgentAsync(HttpContext http, bool asJob)
    {
        var body = await ReadJsonAsync(http) as JsonObject;
        var input = body?["input_data"] as JsonObject;
        var key = input is null ? null : AgentKey(input);
        if (key is null)
        {
            await UnprocessableAsync(http, body, "input_data is required");
            return;
        }

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
            AnswerOrJobAsync(http, key, Enrichment(key, body!["struct"] as JsonObject ?? [], findPeople: false, leadStruct: null, reply), asJob, reply));
    }

    /// <summary>A record's key: a person's email or name, else a company's domain or name, else the whole record.</summary>
    private static string AgentKey(JsonObject record) =>
        KeyOf(record, company: false) ?? KeyOf(record, company: true) ?? FakeData.Key(record.ToJsonString());

    /// <summary>One value per struct field, typed as its description says (the first of the wrong type for a schema violation).</summary>
    private JsonObject StructValues(string key, JsonObject? fields, bool found, FakeReply? reply)
    {
        var data = new JsonObject();
        var first = true;
        foreach (var (field, description) in fields ?? [])
        {
            var type = FakeData.TypeInDescription(description);
            data[field] = reply?.Kind == FakeReplyKind.SchemaViolation && first ? FakeData.WrongValue(type)
                : found ? FakeData.Value(Seed, key, field, type)
                : null;
            first = false;
        }

        return data;
    }

    /// <summary>The result itself, or for an <c>-async</c> call <c>{task_id, status}</c> and a job that <c>/job-status</c> answers.</summary>
    private async Task AnswerOrJobAsync(HttpContext http, string key, JsonObject result, bool asJob, FakeReply? reply)
    {
        if (!asJob)
        {
            await WriteJsonAsync(http, 200, result);
            return;
        }

        var taskId = "task_" + Interlocked.Increment(ref _nextJob).ToString(CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _jobs[taskId] = new FakeJob(key, result, _pollsUntilDone, reply?.Kind == FakeReplyKind.JobFailed ? reply.Detail ?? "job failed" : null);
        }

        await WriteJsonAsync(http, 200, new JsonObject { ["task_id"] = taskId, ["status"] = "pending" });
    }

    private async Task UnprocessableAsync(HttpContext http, JsonNode? body, string detail)
    {
        lock (_gate)
        {
            Record(http, null, body, isPoll: false);
        }

        await WriteJsonAsync(http, 422, new JsonObject { ["detail"] = detail });
    }
}
