using System.Text.Json;
using System.Text.Json.Nodes;

using Enrichflow.Providers.Limits;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// Sixtyfour's enrichment API (docs/api.md §8.1), with the key in <c>x-api-key</c>: <c>/enrich-company</c> and
/// <c>/enrich-lead</c> (through their <c>-async</c> variants and <c>GET /job-status/{task_id}</c> when
/// <c>UseAsyncJobs</c>), <c>/find-email</c> and <c>/find-phone</c>. Values in <c>structured_data</c> are checked
/// against the requested types; people found at a company come from <c>structured_data.leads</c>.
/// </summary>
public sealed partial class SixtyfourProvider : RemoteProvider
{
    private static readonly string[] DoneStatuses = ["completed", "complete", "done", "succeeded", "success", "finished"];
    private static readonly string[] FailedStatuses = ["failed", "failure", "error", "errored", "cancelled", "canceled"];

    private readonly TimeProvider _time;

    internal SixtyfourProvider(ResolvedProviderOptions options, IHttpClientFactory clients, TimeProvider time)
        : base(options, clients)
    {
        _time = time;
    }

    public override ProviderKind Kind => ProviderKind.Sixtyfour;

    private bool UseAsyncJobs => Options.Configured.UseAsyncJobs ?? true;

    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromSeconds(30);

    private TimeSpan PollInterval => TimeSpan.FromSeconds(Options.Configured.PollIntervalSeconds ?? 5);

    public override bool Supports(EnrichmentOperation operation) => Options.Operations.Contains(operation);

    public override Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Operation switch
        {
            EnrichmentOperation.EnrichCompany => EnrichAsync("enrich-company", CompanyBody(request), request, cancellationToken),
            EnrichmentOperation.EnrichPerson => EnrichAsync("enrich-lead", LeadBody(request), request, cancellationToken),
            EnrichmentOperation.FindEmail => FindEmailAsync(request, cancellationToken),
            >= EnrichmentOperation.ReverseEmail => CallAgentAsync(request, cancellationToken),
            _ => FindPhoneAsync(request, cancellationToken),
        };
    }

    /// <summary><c>{target_company, struct, research_plan?, tier?, find_people?, people_focus_prompt?, lead_struct?}</c>.</summary>
    internal static JsonObject CompanyBody(EnrichmentRequest request)
    {
        var body = new JsonObject
        {
            ["target_company"] = InputObject(request),
            ["struct"] = Struct(request.Fields),
        };
        AddText(body, "research_plan", request.OptionValue("research_plan"));
        AddText(body, "tier", request.OptionValue("tier"));
        if (FindsPeople(request))
        {
            body["find_people"] = true;
            AddText(body, "people_focus_prompt", request.OptionValue("people_focus_prompt"));
            if (request.PeopleFields.Count > 0)
            {
                body["lead_struct"] = Struct(request.PeopleFields);
            }
        }

        return body;
    }

    /// <summary><c>{lead_info, struct, research_plan?, tier?}</c>.</summary>
    internal static JsonObject LeadBody(EnrichmentRequest request)
    {
        var body = new JsonObject
        {
            ["lead_info"] = InputObject(request),
            ["struct"] = Struct(request.Fields),
        };
        AddText(body, "research_plan", request.OptionValue("research_plan"));
        AddText(body, "tier", request.OptionValue("tier"));
        return body;
    }

    /// <summary><c>{field: "description (type: int)"}</c>: the type is named in the description (str needs no mention).</summary>
    internal static JsonObject Struct(IReadOnlyList<ReturnField> fields)
    {
        var result = new JsonObject();
        foreach (var field in fields)
        {
            var description = string.IsNullOrWhiteSpace(field.Description) ? field.Name.Replace('_', ' ') : field.Description.Trim();
            result[field.Name] = field.Type == ReturnFieldType.Str ? description : $"{description} (type: {field.Type.ToWire()})";
        }

        return result;
    }

    private static bool FindsPeople(EnrichmentRequest request) =>
        string.Equals(request.OptionValue("find_people"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The request object: every input the block sent (identifying keys first), as Sixtyfour takes it.</summary>
    private static JsonObject InputObject(EnrichmentRequest request)
    {
        var result = new JsonObject();
        foreach (var (key, value) in request.Input.OrderBy(p => Rank(p.Key)).ThenBy(p => p.Key, StringComparer.Ordinal))
        {
            if (value.Length > 0)
            {
                result[key] = value;
            }
        }

        return result;
    }

    /// <summary>Known input keys first, in <see cref="InputKeys.All"/> order (stable bodies read better in logs and tests).</summary>
    private static int Rank(string key)
    {
        for (var i = 0; i < InputKeys.All.Count; i++)
        {
            if (InputKeys.All[i] == key)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static void AddText(JsonObject body, string name, string? value)
    {
        if (value is not null)
        {
            body[name] = value;
        }
    }

    private HttpRequestMessage Post(string path, JsonNode body) => WithKey(ProviderHttp.JsonRequest(HttpMethod.Post, Options.Url(path), body));

    private HttpRequestMessage WithKey(HttpRequestMessage request)
    {
        if (Options.ApiKey is { } key)
        {
            request.Headers.TryAddWithoutValidation("x-api-key", key);
        }

        return request;
    }

    private async Task<EnrichmentAnswer> EnrichAsync(string path, JsonObject body, EnrichmentRequest request, CancellationToken cancellationToken)
    {
        using var post = Post(UseAsyncJobs ? path + "-async" : path, body);
        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        if (!reply.IsJson)
        {
            return reply.Answer;
        }

        if (!UseAsyncJobs || reply.Json is JsonObject direct && direct.ContainsKey("structured_data"))
        {
            return MapEnrichment(reply.Json, request);
        }

        return reply.Json?["task_id"]?.GetValueKind() is JsonValueKind.String or JsonValueKind.Number
            ? await PollAsync(reply.Json["task_id"]!.ToString(), json => MapEnrichment(json, request), cancellationToken)
            : EnrichmentAnswer.Failed($"answered {path}-async without a task_id: {ProviderHttp.Detail(reply.Json!.ToJsonString())}", billable: true);
    }

    /// <summary>
    /// Polls <c>GET /job-status/{task_id}</c> until the job is done, failed, or older than <c>TimeoutSeconds</c>: first
    /// after <c>PollIntervalSeconds</c>, then half as long again each time, at most every 30 s (or the interval, if
    /// longer), so a job of minutes costs a dozen polls. Polls take no rate-limit token: they buy nothing. The finished
    /// job's <c>result</c> (or the whole answer when it has none) goes to <paramref name="map"/>.
    /// </summary>
    private async Task<EnrichmentAnswer> PollAsync(string taskId, Func<JsonNode?, EnrichmentAnswer> map, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var interval = PollInterval;
        var longest = interval > MaxPollInterval ? interval : MaxPollInterval;
        while (true)
        {
            await Task.Delay(interval, _time, cancellationToken);
            interval = TimeSpan.FromTicks(Math.Min(longest.Ticks, interval.Ticks * 3 / 2));
            using var get = WithKey(ProviderHttp.JsonRequest(HttpMethod.Get, Options.Url("job-status/" + Uri.EscapeDataString(taskId)), null));
            get.Options.Set(ProviderRateHandler.Unmetered, true);
            var reply = await Http.SendJsonAsync(get, null, cancellationToken);
            if (!reply.IsJson)
            {
                return reply.Answer with { Reason = $"job {taskId}: {reply.Answer.Reason}", Billable = true };
            }

            var status = reply.Json?["status"]?.GetValueKind() == JsonValueKind.String ? reply.Json["status"]!.GetValue<string>().Trim().ToLowerInvariant() : "";
            if (DoneStatuses.Contains(status))
            {
                return map(reply.Json!["result"] is JsonObject result ? result : reply.Json);
            }

            if (FailedStatuses.Contains(status))
            {
                var why = reply.Json!["error"] ?? reply.Json["detail"] ?? reply.Json["message"];
                var detail = why?.GetValueKind() == JsonValueKind.String ? why.GetValue<string>() : why?.ToJsonString() ?? "";
                return EnrichmentAnswer.Failed($"job {taskId} {status}: {ProviderHttp.Detail(detail)}", billable: true);
            }

            if (_time.GetElapsedTime(started) >= Limits.Timeout)
            {
                return EnrichmentAnswer.Failed($"job {taskId} did not finish within {ProviderHttp.Seconds(Limits.Timeout)} s (last status '{status}')", billable: true);
            }
        }
    }

    /// <summary>Maps <c>{structured_data, notes, references, confidence_score}</c>, checking every requested field's type.</summary>
    public static EnrichmentAnswer MapEnrichment(JsonNode? json, EnrichmentRequest request)
    {
        if (json?["structured_data"] is not JsonObject data)
        {
            return EnrichmentAnswer.Failed("answered without structured_data", billable: true);
        }

        var fields = FieldValues.Map(request.Fields, f => data[f.Name], out var error);
        if (fields is null)
        {
            return EnrichmentAnswer.Failed(error!, billable: true);
        }

        var people = FindsPeople(request) ? People(data, json) : null;
        var found = fields.Values.Any(EnrichmentAnswer.HasValue) || people is { Count: > 0 };
        return new EnrichmentAnswer(found ? EnrichmentOutcome.Found : EnrichmentOutcome.NotFound, fields)
        {
            ConfidenceScore = json["confidence_score"] is { } score && FieldValues.TryCoerce(new ReturnField("confidence_score", "", ReturnFieldType.Float), score, out var number, out _) && number is not null
                ? number.GetValue<double>()
                : null,
            Notes = json["notes"]?.GetValueKind() == JsonValueKind.String ? json["notes"]!.GetValue<string>() : null,
            References = References(json["references"]),
            People = people,
        };
    }

    /// <summary>The people found: <c>structured_data.leads</c> (or <c>people</c>, or either at the top level), objects only.</summary>
    private static JsonArray? People(JsonObject data, JsonNode json)
    {
        var list = data["leads"] as JsonArray ?? data["people"] as JsonArray ?? json["leads"] as JsonArray ?? json["people"] as JsonArray;
        return list is null ? null : new JsonArray([.. list.OfType<JsonObject>().Select(p => p.DeepClone())]);
    }

    private static Dictionary<string, string>? References(JsonNode? node) => node switch
    {
        JsonObject map => map.Where(p => p.Key.Length > 0).ToDictionary(p => p.Key, p => p.Value?.GetValueKind() == JsonValueKind.String ? p.Value.GetValue<string>() : p.Value?.ToJsonString() ?? "", StringComparer.Ordinal),
        JsonArray urls => urls.Where(u => u?.GetValueKind() == JsonValueKind.String).Select(u => u!.GetValue<string>()).Distinct(StringComparer.Ordinal).ToDictionary(u => u, _ => "", StringComparer.Ordinal),
        _ => null,
    };
}
