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
public sealed partial class SixtyfourProvider : RemoteProvider, IJobProvider
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

    public override async Task<EnrichmentAnswer> CallAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (RunsAsJob(request))
        {
            var submitted = await SubmitJobAsync(request, cancellationToken);
            return submitted.TaskId is { } taskId ? (await WaitForJobAsync(taskId, request, cancellationToken)).Answer : submitted.Answer!;
        }

        return request.Operation switch
        {
            EnrichmentOperation.FindEmail => await FindEmailAsync(request, cancellationToken),
            EnrichmentOperation.FindPhone => await FindPhoneAsync(request, cancellationToken),
            _ when JobPath(request.Operation) is { } path => await DirectAsync(path, request, cancellationToken),
            _ => await CallAgentAsync(request, cancellationToken),
        };
    }

    /// <summary>Enrichments and agents run as jobs unless <c>UseAsyncJobs</c> is false; the finders and reverse lookups have no job endpoint.</summary>
    public bool RunsAsJob(EnrichmentRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return UseAsyncJobs && JobPath(request.Operation) is not null;
    }

    /// <summary>
    /// <c>POST /{path}-async</c>: the <c>task_id</c> it answers, or the answer itself when it answered the result at once
    /// (or failed). The submission is a paid POST: a timed-out attempt is not retried (docs/api.md §8).
    /// </summary>
    public async Task<JobSubmission> SubmitJobAsync(EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = JobPath(request.Operation) ?? throw new ArgumentException($"Sixtyfour runs no job for {request.Operation.ToWire()}.", nameof(request));
        using var post = Post(path + "-async", BodyOf(request));
        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        if (!reply.IsJson)
        {
            return JobSubmission.Answered(reply.Answer);
        }

        if (reply.Json?["task_id"]?.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
        {
            return JobSubmission.Job(reply.Json["task_id"]!.ToString());
        }

        return JobSubmission.Answered(reply.Json is JsonObject direct && (direct.ContainsKey("structured_data") || request.Operation >= EnrichmentOperation.QaAgent)
            ? Map(direct, request)
            : EnrichmentAnswer.Failed($"answered {path}-async without a task_id: {ProviderHttp.Detail(reply.Json?.ToJsonString() ?? "")}", billable: true));
    }

    /// <summary>
    /// Polls <c>GET /job-status/{task_id}</c> until the job is done, failed, or older than <c>TimeoutSeconds</c>: first
    /// after <c>PollIntervalSeconds</c>, then half as long again each time, at most every 30 s (or the interval, if
    /// longer), so a job of minutes costs a dozen polls. Polls take no rate-limit token: they buy nothing (and, being
    /// GETs, they are retried like any idempotent request). The finished job's <c>result</c> (or the whole answer when
    /// it has none) is read like the direct endpoint's answer; a 404 means the job is unknown to Sixtyfour.
    /// </summary>
    public async Task<JobWait> WaitForJobAsync(string taskId, EnrichmentRequest request, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        ArgumentNullException.ThrowIfNull(request);
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
                return reply.Status == 404
                    ? new JobWait(JobEnd.Unknown, EnrichmentAnswer.Failed($"job {taskId} is unknown to Sixtyfour: {reply.Answer.Reason}", billable: true))
                    : new JobWait(JobEnd.Unsettled, reply.Answer with { Reason = $"job {taskId}: {reply.Answer.Reason}", Billable = true });
            }

            var status = reply.Json?["status"]?.GetValueKind() == JsonValueKind.String ? reply.Json["status"]!.GetValue<string>().Trim().ToLowerInvariant() : "";
            if (DoneStatuses.Contains(status))
            {
                return new JobWait(JobEnd.Finished, Map(reply.Json!["result"] is JsonObject result ? result : reply.Json, request));
            }

            if (FailedStatuses.Contains(status))
            {
                var why = reply.Json!["error"] ?? reply.Json["detail"] ?? reply.Json["message"];
                var detail = why?.GetValueKind() == JsonValueKind.String ? why.GetValue<string>() : why?.ToJsonString() ?? "";
                return new JobWait(JobEnd.Finished, EnrichmentAnswer.Failed($"job {taskId} {status}: {ProviderHttp.Detail(detail)}", billable: true));
            }

            if (_time.GetElapsedTime(started) >= Limits.Timeout)
            {
                return new JobWait(JobEnd.Unsettled,
                    EnrichmentAnswer.Failed($"job {taskId} did not finish within {ProviderHttp.Seconds(Limits.Timeout)} s (last status '{status}')", billable: true));
            }
        }
    }

    /// <summary>The endpoint of an operation that Sixtyfour also runs as a job (<c>{path}-async</c>); null for the others.</summary>
    private static string? JobPath(EnrichmentOperation operation) => operation switch
    {
        EnrichmentOperation.EnrichCompany => "enrich-company",
        EnrichmentOperation.EnrichPerson => "enrich-lead",
        EnrichmentOperation.QaAgent => "qa-agent",
        EnrichmentOperation.ResearchAgent => "research-agent",
        _ => null,
    };

    /// <summary>The body of a request to a job operation's endpoint (direct or <c>-async</c>).</summary>
    private static JsonObject BodyOf(EnrichmentRequest request) => request.Operation switch
    {
        EnrichmentOperation.EnrichCompany => CompanyBody(request),
        EnrichmentOperation.EnrichPerson => LeadBody(request),
        EnrichmentOperation.QaAgent => QaBody(request),
        _ => ResearchBody(request),
    };

    /// <summary>Reads a job operation's answer (the direct endpoint's, or a finished job's <c>result</c>).</summary>
    private static EnrichmentAnswer Map(JsonNode? json, EnrichmentRequest request) => request.Operation switch
    {
        EnrichmentOperation.QaAgent => MapQa(json, request),
        EnrichmentOperation.ResearchAgent => MapResearch(json, request),
        _ => MapEnrichment(json, request),
    };

    /// <summary>The direct (synchronous) endpoint of a job operation, with <c>UseAsyncJobs</c> false.</summary>
    private async Task<EnrichmentAnswer> DirectAsync(string path, EnrichmentRequest request, CancellationToken cancellationToken)
    {
        using var post = Post(path, BodyOf(request));
        var reply = await Http.SendJsonAsync(post, null, cancellationToken);
        return reply.IsJson ? Map(reply.Json, request) : reply.Answer;
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
