using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Results;
using Enrichflow.Hosting.Uploads;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Server.Auth;
using Enrichflow.Engine.Estimates;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Apis;

/// <summary>
/// <c>POST /workflows/run</c> (API.md §3): checks the request, stores the payload as a stream, queues the run.
/// Nothing else happens on the request thread.
/// </summary>
public static class RunStartApi
{
    private static readonly TimeSpan IdempotencyWindow = TimeSpan.FromHours(24);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static Task<IResult> StartRun(
        [FromQuery(Name = "workflow_id")] string? workflowId,
        [FromQuery(Name = "result_formats")] string[]? resultFormats,
        [FromQuery(Name = "save_json")] string? saveJson,
        HttpContext http,
        IWorkflowStore workflows,
        IAccountStore accounts,
        INotebookStore notebooks,
        IBlobStore blobs,
        RunPlans plans,
        RunLauncher launcher,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        TimeProvider time,
        CancellationToken cancellationToken) =>
        HandleAsync(workflowId, resultFormats, saveJson, http, workflows, accounts, notebooks, blobs, plans, launcher, null, serverOptions, engineOptions, time, cancellationToken);

    /// <summary>
    /// <c>POST /workflows/estimate</c>: the same request as a run, checked the same way, answered with predicted rows,
    /// provider calls and credits per block instead of a queued run. Nothing is queued and no paid call is made.
    /// </summary>
    public static Task<IResult> EstimateRun(
        [FromQuery(Name = "workflow_id")] string? workflowId,
        HttpContext http,
        IWorkflowStore workflows,
        IAccountStore accounts,
        INotebookStore notebooks,
        IBlobStore blobs,
        RunPlans plans,
        RunLauncher launcher,
        WorkflowEstimator estimator,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        TimeProvider time,
        CancellationToken cancellationToken) =>
        HandleAsync(workflowId, null, null, http, workflows, accounts, notebooks, blobs, plans, launcher, estimator, serverOptions, engineOptions, time, cancellationToken);

    private static async Task<IResult> HandleAsync(
        string? workflowId,
        string[]? resultFormats,
        string? saveJson,
        HttpContext http,
        IWorkflowStore workflows,
        IAccountStore accounts,
        INotebookStore notebooks,
        IBlobStore blobs,
        RunPlans plans,
        RunLauncher launcher,
        WorkflowEstimator? estimator,
        IOptions<ServerOptions> serverOptions,
        IOptions<EngineOptions> engineOptions,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(workflowId))
        {
            return ApiErrors.Unprocessable(["query", "workflow_id"], "Field required", "missing");
        }

        var caller = http.Caller();
        var workflow = await workflows.GetAsync(caller.OrgId, workflowId, cancellationToken);
        if (workflow is null || workflow.Status == "deleted")
        {
            return ApiErrors.WorkflowNotFound();
        }

        var formats = ParseFormats(resultFormats, saveJson, out var formatError);
        if (formatError is not null)
        {
            return ApiErrors.BadRequest(formatError);
        }

        using var definitionDocument = JsonDocument.Parse(workflow.DefinitionJson);
        var basePlan = plans.Compile(definitionDocument.RootElement, null, out var baseErrors);
        if (basePlan is null)
        {
            return ApiErrors.InvalidDefinition(baseErrors);
        }

        var runId = Guid.CreateVersion7();
        var isWebhook = basePlan.Source.Compiled is SourceBlock { InputKind: SourceInputKind.WebhookPayload };
        var body = isWebhook
            ? await ReadPayloadBodyAsync(http, blobs, (SourceBlock)basePlan.Source.Compiled, runId, serverOptions.Value.Limits.MaxPayloadBytes, cancellationToken)
            : await ReadSmallBodyAsync(http, serverOptions.Value.Limits.MaxRequestBytes, cancellationToken);
        var stored = isWebhook;
        try
        {
            if (body.Error is not null)
            {
                return body.Error;
            }

            var requestHash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{workflowId}\n{string.Join(',', formats)}\n{body.Hash}")));
            var idempotencyKey = http.Request.Headers["Idempotency-Key"].ToString();
            if (estimator is null && idempotencyKey.Length > 0 && await accounts.GetIdempotencyAsync(caller.OrgId, idempotencyKey, cancellationToken) is { } previous
                && previous.CreatedAt > time.GetUtcNow() - IdempotencyWindow)
            {
                if (previous.RequestHash != requestHash)
                {
                    return ApiErrors.Conflict($"Idempotency-Key '{idempotencyKey}' was used within 24 hours with a different request body.");
                }

                var first = JsonSerializer.Deserialize<RunStarted>(previous.ResponseJson, Json)!;
                return TypedResults.Ok(first with { AlreadyStarted = true });
            }

            var request = ParseRequestFields(body, isWebhook, basePlan.Source, out var requestError);
            if (requestError is not null)
            {
                return requestError;
            }

            var plan = plans.Compile(definitionDocument.RootElement, request.SpecsOverride, out var errors);
            if (plan is null)
            {
                return ApiErrors.InvalidDefinition(errors);
            }

            if (await MissingNotebookAsync(plan, caller.OrgId, notebooks, cancellationToken) is { } missing)
            {
                return ApiErrors.NotFound(missing);
            }

            string inputKey;
            string? fileName = null;
            long? estimatedRows = body.ElementCount;
            if (isWebhook)
            {
                if (await CheckPayloadAsync(blobs, runId, plan.Source, cancellationToken) is { } strictError)
                {
                    return strictError;
                }

                inputKey = BlobKeys.Payload(runId);
            }
            else if (plan.Source.Compiled is SourceBlock { InputKind: SourceInputKind.Notebook })
            {
                inputKey = "";
                estimatedRows = null;
            }
            else
            {
                var handle = (plan.Source.Compiled as SourceBlock)?.UploadHandle;
                if (handle is null)
                {
                    return ApiErrors.BadRequest($"Block '{plan.Source.Id}' ({plan.Source.Type.Name}) needs a resource_handle_id: upload a file to /storage/csv/upload and pass its handle_id in specs_override.");
                }

                var upload = Guid.TryParse(handle, out var handleId) ? await accounts.GetUploadAsync(caller.OrgId, handleId, cancellationToken) : null;
                if (upload is null)
                {
                    return ApiErrors.NotFound($"Upload '{handle}' not found");
                }

                inputKey = upload.BlobKey;
                fileName = upload.FileName;
                estimatedRows = await UploadFiles.EstimateRowsAsync(blobs, upload, cancellationToken);
            }

            var options = new RunOptions
            {
                Formats = formats,
                InputBlobKey = inputKey,
                InputFileName = fileName,
                SpecsOverride = request.SpecsOverride,
                CacheConfig = request.CacheConfig,
                MaxCredits = request.MaxCredits,
                ChunkSize = engineOptions.Value.ChunkSize,
                EstimatedRows = estimatedRows,
            };
            if (estimator is not null)
            {
                return TypedResults.Ok(await estimator.EstimateAsync(caller.OrgId, workflow.Id, plan, options, cancellationToken));
            }

            await launcher.QueueAsync(runId, workflow, plan, options, cancellationToken);
            stored = false;
            var response = new RunStarted("queued", workflow.Id, runId, request.CacheConfig, false) { MaxCredits = request.MaxCredits };
            if (idempotencyKey.Length > 0)
            {
                await accounts.TryAddIdempotencyAsync(new IdempotencyRecord(caller.OrgId, idempotencyKey, requestHash, JsonSerializer.Serialize(response, Json), time.GetUtcNow()),
                    time.GetUtcNow() - IdempotencyWindow, cancellationToken);
            }

            return TypedResults.Ok(response);
        }
        finally
        {
            if (stored)
            {
                await blobs.DeleteAsync(BlobKeys.Payload(runId), CancellationToken.None);
            }

            body.Document?.Dispose();
        }
    }

    /// <summary>A sentence naming the first notebook a block refers to that this organization does not have (a foreign one is "not found").</summary>
    private static async Task<string?> MissingNotebookAsync(WorkflowPlan plan, string orgId, INotebookStore notebooks, CancellationToken cancellationToken)
    {
        foreach (var block in plan.Blocks)
        {
            foreach (var reference in block.Compiled.ReferencedNotebooks)
            {
                if (reference.NotebookId is { } notebookId && await notebooks.GetNotebookAsync(orgId, notebookId, cancellationToken) is null)
                {
                    return $"Notebook '{notebookId}' (block '{block.Id}') not found";
                }
            }
        }

        return null;
    }

    private static List<string> ParseFormats(string[]? values, string? saveJson, out string? error)
    {
        error = null;
        var formats = new List<string> { "csv" };
        foreach (var value in (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var format = value.ToLowerInvariant();
            if (format is not ("csv" or "json" or "ndjson"))
            {
                error = $"Query parameter 'result_formats' accepts csv, json and ndjson (got '{value}').";
                return formats;
            }

            if (!formats.Contains(format))
            {
                formats.Add(format);
            }
        }

        if (saveJson is not null && bool.TryParse(saveJson, out var save) && save && !formats.Contains("json"))
        {
            formats.Add("json");
        }

        return formats;
    }

    private sealed record RunBody(string Hash, IResult? Error, JsonDocument? Document = null, long? ElementCount = null,
        bool PayloadPresent = false, string? SpecsOverrideJson = null, string? CacheConfigJson = null, string? MaxCreditsJson = null);

    private sealed record RunRequest(JsonElement? SpecsOverride, CacheConfig CacheConfig, double? MaxCredits = null);

    /// <summary>Streams the body into the run's payload blob (hashing and counting as it goes), then scans it.</summary>
    private static async Task<RunBody> ReadPayloadBodyAsync(HttpContext http, IBlobStore blobs, SourceBlock source, Guid runId, long limit, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > limit)
        {
            return new RunBody("", ApiErrors.TooLarge($"The request body is {http.Request.ContentLength} bytes, larger than the limit of {limit} bytes (Limits:MaxPayloadBytes)."));
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long total = 0;
        await using (var writer = await blobs.CreateAsync(BlobKeys.Payload(runId), cancellationToken))
        {
            var buffer = new byte[81920];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                total += read;
                if (total > limit)
                {
                    return new RunBody("", ApiErrors.TooLarge($"The request body is larger than the limit of {limit} bytes (Limits:MaxPayloadBytes)."));
                }

                hash.AppendData(buffer, 0, read);
                await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            }

            await writer.CommitAsync(cancellationToken);
        }

        var digest = Convert.ToHexString(hash.GetHashAndReset());
        try
        {
            await using var stream = await blobs.OpenReadAsync(BlobKeys.Payload(runId), cancellationToken);
            var scan = await source.ScanPayloadAsync(stream, cancellationToken);
            return new RunBody(digest, null, null, scan.ElementCount, scan.PayloadPresent, scan.SpecsOverrideJson, scan.CacheConfigJson, scan.MaxCreditsJson)
            {
                Error = scan.FirstNonObjectIndex is long index
                    ? ApiErrors.BadRequest($"webhook_payload[{index}] is {scan.FirstNonObjectKind ?? "not an object"}, not an object; every element must be a JSON object (one row).")
                    : null,
            };
        }
        catch (PayloadFormatException e)
        {
            return new RunBody(digest, ApiErrors.Unprocessable(["body", e.BytePosition], $"JSON decode error: {e.Message}", "json_invalid"));
        }
    }

    /// <summary>The source's own check of the stored payload (a strict source and its required columns, API.md §5).</summary>
    private static async Task<IResult?> CheckPayloadAsync(IBlobStore blobs, Guid runId, PlannedBlock source, CancellationToken cancellationToken) =>
        source.Compiled is SourceBlock block
        && await block.CheckPayloadAsync(new SourceInput { OpenAsync = async ct => await blobs.OpenReadAsync(BlobKeys.Payload(runId), ct) }, source.Id, cancellationToken) is { } problem
            ? ApiErrors.BadRequest(problem)
            : null;

    private static async Task<RunBody> ReadSmallBodyAsync(HttpContext http, long limit, CancellationToken cancellationToken)
    {
        var (document, error) = await JsonBody.ReadAsync(http.Request, limit, allowEmpty: true, cancellationToken);
        if (error is not null)
        {
            return new RunBody("", error);
        }

        if (document is null)
        {
            return new RunBody("", null);
        }

        var root = document.RootElement;
        var digest = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(root.GetRawText())));
        if (root.ValueKind != JsonValueKind.Object)
        {
            return new RunBody(digest, ApiErrors.Unprocessable(["body"], "Input should be a valid dictionary", "dict_type"), document);
        }

        return new RunBody(digest, null, document,
            PayloadPresent: root.TryGetProperty("webhook_payload", out var payload) && payload.ValueKind != JsonValueKind.Null,
            SpecsOverrideJson: root.TryGetProperty("specs_override", out var specs) ? specs.GetRawText() : null,
            CacheConfigJson: root.TryGetProperty("cache_config", out var cache) ? cache.GetRawText() : null,
            MaxCreditsJson: root.TryGetProperty("max_credits", out var max) ? max.GetRawText() : null);
    }

    /// <summary>A request's <c>max_credits</c> (a run's, or a resume's): null when null; a 422 naming it unless a non-negative number.</summary>
    internal static double? MaxCredits(JsonElement value, out IResult? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || value.GetDouble() < 0)
        {
            error = ApiErrors.Unprocessable(["body", "max_credits"], "Input should be a non-negative number", "float_type");
            return null;
        }

        return value.GetDouble();
    }

    private static RunRequest ParseRequestFields(RunBody body, bool isWebhook, PlannedBlock source, out IResult? error)
    {
        error = null;
        JsonElement? specsOverride = null;
        if (body.SpecsOverrideJson is { } specsJson)
        {
            var element = JsonSerializer.Deserialize<JsonElement>(specsJson);
            if (element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                error = ApiErrors.Unprocessable(["body", "specs_override"], "Input should be a valid dictionary", "dict_type");
                return new RunRequest(null, new CacheConfig());
            }

            specsOverride = element.ValueKind == JsonValueKind.Object ? element : null;
        }

        var cache = new CacheConfig();
        if (body.CacheConfigJson is { } cacheJson && JsonSerializer.Deserialize<JsonElement>(cacheJson) is { ValueKind: JsonValueKind.Object } cacheElement)
        {
            if (cacheElement.TryGetProperty("enabled", out var enabled))
            {
                if (enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    error = ApiErrors.Unprocessable(["body", "cache_config", "enabled"], "Input should be a valid boolean", "bool_type");
                    return new RunRequest(null, cache);
                }

                cache = cache with { Enabled = enabled.GetBoolean() };
            }

            if (cacheElement.TryGetProperty("ttl_days", out var ttl))
            {
                if (ttl.ValueKind != JsonValueKind.Number || !ttl.TryGetInt32(out var days) || days < 0)
                {
                    error = ApiErrors.Unprocessable(["body", "cache_config", "ttl_days"], "Input should be a valid non-negative integer", "int_type");
                    return new RunRequest(null, cache);
                }

                cache = cache with { TtlDays = days };
            }
        }

        double? maxCredits = null;
        if (body.MaxCreditsJson is { } maxJson)
        {
            maxCredits = MaxCredits(JsonSerializer.Deserialize<JsonElement>(maxJson), out error);
            if (error is not null)
            {
                return new RunRequest(null, cache);
            }
        }

        if (isWebhook)
        {
            if (!body.PayloadPresent)
            {
                error = ApiErrors.BadRequest($"Workflow starts with {source.Type.Name} block '{source.Id}'; the request body needs a webhook_payload (a list of objects, or one object).");
            }
            else if (specsOverride is { } overrides && overrides.TryGetProperty("resource_handle_id", out _))
            {
                error = ApiErrors.BadRequest($"specs_override.resource_handle_id selects an upload, but this workflow starts with {source.Type.Name} block '{source.Id}', which reads webhook_payload.");
            }
        }
        else if (body.PayloadPresent)
        {
            error = ApiErrors.BadRequest($"Workflow starts with {source.Type.Name} block '{source.Id}', which does not take a webhook_payload; upload a file and pass its handle_id in specs_override.resource_handle_id.");
        }

        return new RunRequest(specsOverride, cache, maxCredits);
    }
}
