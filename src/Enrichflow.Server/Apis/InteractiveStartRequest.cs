using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Interactive;
using Enrichflow.Hosting.Uploads;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;

namespace Enrichflow.Server.Apis;

/// <summary>
/// <c>POST /workflows/interactive/start</c> (docs/api.md §12), checked in order: the body streams into the run's
/// payload blob, its fields are read (<see cref="InteractiveStartBody"/>), the source block is compiled, its input
/// found (payload, upload or notebook), and the session's run is queued.
/// </summary>
internal static class InteractiveStartRequest
{
    /// <summary>Reads and checks the start request, stores its payload (streamed into the run's payload blob), and queues the session's run.</summary>
    public static async Task<(InteractiveStarted? Started, RunRequestError? Error)> StartAsync(
        Guid runId, HttpContext http, IBlobStore blobs, IAccountStore accounts, INotebookStore notebooks, RunPlans plans,
        InteractiveRuns sessions, LimitsOptions limits, int chunkSize, CancellationToken cancellationToken)
    {
        if (await StoreBodyAsync(http, blobs, BlobKeys.Payload(runId), limits.MaxPayloadBytes, cancellationToken) is { } tooLarge)
        {
            return (null, tooLarge);
        }

        InteractiveStartBody body;
        try
        {
            await using var stream = await blobs.OpenReadAsync(BlobKeys.Payload(runId), cancellationToken);
            body = await InteractiveStartBody.ReadAsync(stream, cancellationToken);
        }
        catch (JsonException e)
        {
            return (null, JsonBody.MalformedJson(e));
        }
        catch (FormatException e)
        {
            return (null, ApiErrors.Unprocessable(["body"], e.Message, "dict_type"));
        }

        var errors = new List<DefinitionError>();
        var fields = body.Fields.ToDictionary(f => f.Key, f => JsonSerializer.Deserialize<JsonElement>(f.Value), StringComparer.Ordinal);
        var blockName = fields.TryGetValue("block_name", out var nameElement) ? nameElement : (JsonElement?)null;
        var specs = fields.TryGetValue("specs", out var specsElement) ? specsElement : (JsonElement?)null;
        if (blockName is not { ValueKind: JsonValueKind.String })
        {
            errors.Add(blockName is null
                ? new DefinitionError(["body", "block_name"], "Field required", "missing")
                : new DefinitionError(["body", "block_name"], "Input should be a valid string", "string_type"));
        }

        if (specs is not { ValueKind: JsonValueKind.Object })
        {
            errors.Add(specs is null
                ? new DefinitionError(["body", "specs"], "Field required", "missing")
                : new DefinitionError(["body", "specs"], "Input should be a valid dictionary", "dict_type"));
        }

        var saveJson = fields.TryGetValue("save_json", out var save) && save.ValueKind == JsonValueKind.True;
        if (fields.TryGetValue("save_json", out save) && save.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
        {
            errors.Add(new DefinitionError(["body", "save_json"], "Input should be a valid boolean", "bool_type"));
        }

        if (errors.Count > 0)
        {
            return (null, ApiErrors.Unprocessable(errors));
        }

        var definitionJson = InteractiveRuns.SourceDefinition(blockName!.Value.GetString()!, specs!.Value);
        using var definition = JsonDocument.Parse(definitionJson);
        var plan = plans.Compile(definition.RootElement, null, out var definitionErrors);
        if (plan is null)
        {
            return (null, ApiErrors.InvalidDefinition(definitionErrors));
        }

        var source = (SourceBlock)plan.Source.Compiled;
        var readsPayload = source.InputKind == SourceInputKind.WebhookPayload;
        if (!readsPayload)
        {
            // The stored body is the run's input only for a source that reads the payload.
            await blobs.DeleteAsync(BlobKeys.Payload(runId), cancellationToken);
        }

        if (readsPayload && !body.PayloadPresent)
        {
            return (null, ApiErrors.BadRequest($"Interactive session starts with {plan.Source.Type.Name} block '{plan.Source.Id}'; the request body needs a webhook_payload (a list of objects, or one object)."));
        }

        if (!readsPayload && body.PayloadPresent && !body.PayloadEmpty)
        {
            return (null, ApiErrors.BadRequest($"Interactive session starts with {plan.Source.Type.Name} block '{plan.Source.Id}', which does not take a webhook_payload; for read_csv, upload a file and pass its handle_id in specs.resource_handle_id."));
        }

        var runBody = new RunBody("", null, PayloadPresent: readsPayload, CacheConfigJson: body.Fields.GetValueOrDefault("cache_config"));
        var checkedFields = RunRequestBody.ParseFields(runBody, plan.Source, out var fieldError);
        if (fieldError is not null)
        {
            return (null, fieldError);
        }

        string inputKey = "";
        string? fileName = null;
        long? estimatedRows = null;
        switch (source.InputKind)
        {
            case SourceInputKind.WebhookPayload:
                try
                {
                    await using var stream = await blobs.OpenReadAsync(BlobKeys.Payload(runId), cancellationToken);
                    var scan = await source.ScanPayloadAsync(stream, cancellationToken);
                    if (scan.FirstNonObjectIndex is long index)
                    {
                        return (null, ApiErrors.BadRequest($"webhook_payload[{index}] is {scan.FirstNonObjectKind ?? "not an object"}, not an object; every element must be a JSON object (one row)."));
                    }

                    estimatedRows = scan.ElementCount;
                }
                catch (PayloadFormatException e) when (e.TooLarge)
                {
                    return (null, ApiErrors.TooLarge(e.Message));
                }
                catch (PayloadFormatException e)
                {
                    return (null, ApiErrors.Unprocessable(["body", e.BytePosition], $"JSON decode error: {e.Message}", "json_invalid"));
                }

                var payload = new SourceInput { OpenAsync = async ct => await blobs.OpenReadAsync(BlobKeys.Payload(runId), ct) };
                if (await source.CheckPayloadAsync(payload, plan.Source.Id, cancellationToken) is { } problem)
                {
                    return (null, ApiErrors.BadRequest(problem));
                }

                inputKey = BlobKeys.Payload(runId);
                break;
            case SourceInputKind.Notebook:
                foreach (var reference in plan.Source.Compiled.ReferencedNotebooks)
                {
                    if (reference.NotebookId is { } notebookId && await notebooks.GetNotebookAsync(http.Caller().OrgId, notebookId, cancellationToken) is null)
                    {
                        return (null, ApiErrors.NotFound($"Notebook '{notebookId}' (block '{plan.Source.Id}') not found"));
                    }
                }

                break;
            default:
                if (source.UploadHandle is not { } handle)
                {
                    return (null, ApiErrors.BadRequest($"Block '{plan.Source.Id}' ({plan.Source.Type.Name}) needs a resource_handle_id: upload a file to /storage/csv/upload and pass its handle_id in specs.resource_handle_id."));
                }

                var upload = Guid.TryParse(handle, out var handleId) ? await accounts.GetUploadAsync(http.Caller().OrgId, handleId, cancellationToken) : null;
                if (upload is null)
                {
                    return (null, ApiErrors.NotFound($"Upload '{handle}' not found"));
                }

                inputKey = upload.BlobKey;
                fileName = upload.FileName;
                estimatedRows = await UploadFiles.EstimateRowsAsync(blobs, upload, cancellationToken);
                break;
        }

        var options = new RunOptions
        {
            Formats = saveJson ? [ResultFormat.Csv, ResultFormat.Json] : [ResultFormat.Csv],
            InputBlobKey = inputKey,
            InputFileName = fileName,
            CacheConfig = checkedFields.CacheConfig,
            ChunkSize = chunkSize,
            EstimatedRows = estimatedRows,
        };
        var run = await sessions.StartAsync(runId, http.Caller().OrgId, definitionJson, plan, options, cancellationToken);
        return (new InteractiveStarted(run.Id, run.Status.ToWire()), null);
    }

    /// <summary>Streams the request body into <paramref name="key"/>; the error to answer when it is over <paramref name="limit"/>.</summary>
    private static async Task<PayloadTooLarge<ErrorBody>?> StoreBodyAsync(HttpContext http, IBlobStore blobs, string key, long limit, CancellationToken cancellationToken)
    {
        if (http.Request.ContentLength > limit)
        {
            return ApiErrors.TooLarge($"The request body is {http.Request.ContentLength} bytes, larger than the limit of {limit} bytes (Limits:MaxPayloadBytes).");
        }

        await using var writer = await blobs.CreateAsync(key, cancellationToken);
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await http.Request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > limit)
            {
                return ApiErrors.TooLarge($"The request body is larger than the limit of {limit} bytes (Limits:MaxPayloadBytes).");
            }

            await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        await writer.CommitAsync(cancellationToken);
        return null;
    }
}
