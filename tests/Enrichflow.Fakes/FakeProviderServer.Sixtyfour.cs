using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Enrichflow.Fakes;

/// <summary>
/// Sixtyfour's enrichment API, as docs/api.md §8.1 describes it, with the request shapes of
/// <c>reference/sixtyfour-openapi-subset.json</c> (<c>EnrichCompanyInfo</c>, <c>EnrichLeadInfo</c>,
/// <c>FindEmailRequest</c>, <c>FindPhoneRequest</c>): a body of the wrong shape (a required field missing, a value
/// of the wrong type, an enum value it does not know) is answered 422 with FastAPI's
/// <c>{"detail": [{loc, msg, type, input}]}</c>, as Sixtyfour does; unknown fields are ignored, as pydantic does.
/// </summary>
public sealed partial class FakeProviderServer
{
    private static readonly SchemaField[] EnrichCompanyInfo =
    [
        new("target_company", FieldKind.Object, Required: true),
        new("struct", FieldKind.Object, Required: true),
        new("find_people", FieldKind.Bool),
        new("people_focus_prompt", FieldKind.String, Nullable: true),
        new("lead_struct", FieldKind.Object, Nullable: true),
        new("research_plan", FieldKind.String, Nullable: true),
        new("max_iterations", FieldKind.Integer, Nullable: true),
        new("benchmark", FieldKind.Bool, Nullable: true),
        new("tier", FieldKind.String, Nullable: true, Enum: ["low", "medium", "high"]),
        new("full_org_chart", FieldKind.Bool),
        new("webhook_url", FieldKind.String, Nullable: true),
    ];

    private static readonly SchemaField[] EnrichLeadInfo =
    [
        new("lead_info", FieldKind.Object, Required: true),
        new("struct", FieldKind.Object, Nullable: true),
        new("research_plan", FieldKind.String, Nullable: true),
        new("max_iterations", FieldKind.Integer, Nullable: true),
        new("benchmark", FieldKind.Bool, Nullable: true),
        new("tier", FieldKind.String, Nullable: true, Enum: ["low", "medium", "high", "xhigh"]),
        new("webhook_url", FieldKind.String, Nullable: true),
    ];

    private static readonly SchemaField[] FindEmailRequest =
    [
        new("lead", FieldKind.Object, Required: true),
        new("verify_emails", FieldKind.Bool),
        new("mode", FieldKind.String, Enum: ["PROFESSIONAL", "PERSONAL"]),
        new("providers", FieldKind.StringList, Nullable: true),
        new("webhook_url", FieldKind.String, Nullable: true),
    ];

    private static readonly SchemaField[] FindPhoneRequest =
    [
        new("lead", FieldKind.Object, Required: true),
        new("providers", FieldKind.StringList, Nullable: true),
        new("webhook_url", FieldKind.String, Nullable: true),
    ];

    private int _unverifiedEmailPercent;

    /// <summary>The share (0–100) of found email addresses answered with status <c>UNKNOWN</c> instead of <c>OK</c>, chosen by key and seed.</summary>
    public int UnverifiedEmailPercent { get => Get(ref _unverifiedEmailPercent); set => Set(ref _unverifiedEmailPercent, value); }

    /// <summary>True when the fake answers a found address for <paramref name="key"/> with <c>OK</c> (else <c>UNKNOWN</c>).</summary>
    public static bool IsVerified(int seed, string key, int unverifiedPercent) =>
        (int)(FakeData.Hash(seed, FakeData.Key(key), "verified") % 100) >= unverifiedPercent;

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
        var company = subjectName == "target_company";
        if (await ShapedBodyAsync(http, company ? EnrichCompanyInfo : EnrichLeadInfo, subjectName, company) is not var (body, key))
        {
            return;
        }

        var fields = body["struct"] as JsonObject ?? [];
        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), async reply =>
        {
            var findPeople = company && body["find_people"]?.GetValueKind() == JsonValueKind.True;
            var result = Enrichment(key, fields, findPeople, body["lead_struct"] as JsonObject, reply);
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
        });
    }

    /// <summary>
    /// <c>{notes, structured_data, references, confidence_score}</c> for the key, every struct field typed as its
    /// description says; with <paramref name="findPeople"/> also <c>structured_data.leads</c>, each person with
    /// the fields of <paramref name="leadStruct"/> (without one, the fake's usual name, title, email, linkedin, score).
    /// </summary>
    private JsonObject Enrichment(string key, JsonObject fields, bool findPeople, JsonObject? leadStruct, FakeReply? reply)
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
            data["leads"] = !found ? new JsonArray()
                : leadStruct is null ? FakeData.People(seed, key)
                : new JsonArray([.. FakeData.People(seed, key).Select(person => (JsonNode?)PersonWith(person!.AsObject(), leadStruct, seed))]);
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
            if (job is not null)
            {
                _polledJobs.Add(taskId);
            }

            if (job is null)
            {
                state = "missing";
            }
            else if (_holdJobs)
            {
                state = "processing";
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
        if (await ShapedBodyAsync(http, FindEmailRequest, "lead", company: false) is not var (body, key))
        {
            return;
        }

        var lead = body["lead"] as JsonObject;
        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
        {
            var found = FakeData.IsFound(Seed, key, HitPercent);
            var status = IsVerified(Seed, key, UnverifiedEmailPercent) ? "OK" : "UNKNOWN";
            var domain = Text(lead, "domain") ?? FakeData.DomainOf(Text(lead, "company") ?? key);
            var local = string.Join('.', (Text(lead, "name") ?? key).Split('@')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
            var personal = body["mode"]?.ToString() == "PERSONAL";
            JsonNode address = reply?.Kind == FakeReplyKind.SchemaViolation ? new JsonObject { ["unexpected"] = true } : $"{local}@{(personal ? "gmail.example" : domain)}";
            return WriteJsonAsync(http, 200, new JsonObject
            {
                ["name"] = Text(lead, "name"),
                ["email"] = found ? new JsonArray(new JsonArray(address, status, personal ? "PERSONAL" : "COMPANY")) : new JsonArray(),
                ["cost_cents"] = found ? (personal ? 20 : 5) : 0,
            });
        });
    }

    private async Task FindPhoneAsync(HttpContext http)
    {
        if (await ShapedBodyAsync(http, FindPhoneRequest, "lead", company: false) is not var (body, key))
        {
            return;
        }

        var lead = body["lead"] as JsonObject;

        await PaidAsync(http, key, body, expected => SixtyfourKeyOk(http, expected), reply =>
        {
            var found = FakeData.IsFound(Seed, key, HitPercent);
            JsonNode phone = reply?.Kind == FakeReplyKind.SchemaViolation ? new JsonObject { ["unexpected"] = true }
                : found ? FakeData.Phone(Seed, key)
                : "";
            return WriteJsonAsync(http, 200, new JsonObject { ["name"] = Text(lead, "name"), ["phone"] = phone });
        });
    }

    /// <summary>
    /// The body when its shape is right and its subject (<paramref name="subjectName"/>) names someone, with the
    /// subject's key; else answers the 422 (recorded like any request) and returns null.
    /// </summary>
    private async Task<(JsonObject Body, string Key)?> ShapedBodyAsync(HttpContext http, SchemaField[] schema, string subjectName, bool company)
    {
        var body = await ReadJsonAsync(http);
        var errors = Validate(body, schema);
        var key = errors.Count == 0 ? KeyOf(body![subjectName] as JsonObject, company) : null;
        if (errors.Count == 0 && key is null)
        {
            var who = company ? "must name the company (company_name, domain, website or name)" : "must name the person (email, name or linkedin)";
            errors.Add(Problem([subjectName], who, "value_error", body![subjectName]));
        }

        if (errors.Count == 0)
        {
            return (body!.AsObject(), key!);
        }

        lock (_gate)
        {
            Record(http, key, body, isPoll: false);
        }

        await WriteJsonAsync(http, 422, new JsonObject { ["detail"] = new JsonArray([.. errors]) });
        return null;
    }

    /// <summary>Pydantic's checks of a request model: required fields, JSON types, enum (literal) values.</summary>
    private static List<JsonNode?> Validate(JsonNode? body, SchemaField[] schema)
    {
        if (body is not JsonObject fields)
        {
            return [Problem([], "Input should be a valid dictionary or object to extract fields from", "model_attributes_type", body)];
        }

        var errors = new List<JsonNode?>();
        foreach (var field in schema)
        {
            var value = fields[field.Name];
            if (!fields.ContainsKey(field.Name))
            {
                if (field.Required)
                {
                    errors.Add(Problem([field.Name], "Field required", "missing", body));
                }

                continue;
            }

            if (value is null)
            {
                if (!field.Nullable)
                {
                    errors.Add(Problem([field.Name], TypeMessage(field.Kind), TypeError(field.Kind), null));
                }

                continue;
            }

            var kind = value.GetValueKind();
            var typed = field.Kind switch
            {
                FieldKind.Object => kind == JsonValueKind.Object,
                FieldKind.String => kind == JsonValueKind.String,
                FieldKind.Bool => kind is JsonValueKind.True or JsonValueKind.False,
                FieldKind.Integer => kind == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _),
                _ => value is JsonArray list && list.All(e => e?.GetValueKind() == JsonValueKind.String),
            };
            if (!typed)
            {
                errors.Add(Problem([field.Name], TypeMessage(field.Kind), TypeError(field.Kind), value));
            }
            else if (field.Enum is { } allowed && !allowed.Contains(value.GetValue<string>(), StringComparer.Ordinal))
            {
                var choices = string.Join(", ", allowed.SkipLast(1).Select(a => $"'{a}'")) + $" or '{allowed[^1]}'";
                errors.Add(Problem([field.Name], $"Input should be {choices}", "literal_error", value));
            }
        }

        return errors;
    }

    private static JsonObject Problem(string[] loc, string message, string type, JsonNode? input) => new()
    {
        ["loc"] = new JsonArray([.. new[] { "body" }.Concat(loc).Select(l => (JsonNode?)l)]),
        ["msg"] = message,
        ["type"] = type,
        ["input"] = input?.DeepClone(),
    };

    private static string TypeError(FieldKind kind) => kind switch
    {
        FieldKind.Object => "dict_type",
        FieldKind.String => "string_type",
        FieldKind.Bool => "bool_type",
        FieldKind.Integer => "int_type",
        _ => "list_type",
    };

    private static string TypeMessage(FieldKind kind) => kind switch
    {
        FieldKind.Object => "Input should be a valid dictionary",
        FieldKind.String => "Input should be a valid string",
        FieldKind.Bool => "Input should be a valid boolean",
        FieldKind.Integer => "Input should be a valid integer",
        _ => "Input should be a valid list of strings",
    };

    /// <summary>A person found at a company with exactly the fields of <c>lead_struct</c>: the usual ones where names match, else a value of the type described.</summary>
    private static JsonObject PersonWith(JsonObject usual, JsonObject leadStruct, int seed)
    {
        var person = new JsonObject();
        var key = usual["email"]!.ToString();
        foreach (var (field, description) in leadStruct)
        {
            person[field] = usual[field]?.DeepClone() ?? FakeData.Value(seed, key, field, FakeData.TypeInDescription(description));
        }

        return person;
    }

    private enum FieldKind { Object, String, Bool, Integer, StringList }

    /// <summary>One property of a Sixtyfour request model.</summary>
    private sealed record SchemaField(string Name, FieldKind Kind, bool Required = false, bool Nullable = false, string[]? Enum = null);
}
