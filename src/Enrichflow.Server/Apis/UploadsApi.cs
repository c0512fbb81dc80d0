using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Hosting.Orgs;
using Enrichflow.Hosting.Uploads;
using Enrichflow.Server.Auth;
using Enrichflow.Server.Hosting;
using Enrichflow.Server.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

using Enrichflow.Server.OpenApi;

namespace Enrichflow.Server.Apis;

public sealed record UploadResponse(Guid HandleId, string FileName, long SizeBytes);

/// <summary><c>POST /storage/csv/upload</c> (docs/api.md §4): streams one file part to storage and checks its header.</summary>
public static class UploadsApi
{
    private const long MultipartOverhead = 64 * 1024;

    public static RouteGroupBuilder MapUploadsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/storage").RequireApiKey().WithTags("Uploads");
        group.MapPost("/csv/upload", Upload).DisableAntiforgery().DocumentsBody<UploadForm>("multipart/form-data").WithSummary("Upload a file").WithDescription("One part named file: .csv, .json, .jsonl or .ndjson, streamed to storage; the handle goes in a run's specs_override.");
        return group;
    }

    public static async Task<Results<Ok<UploadResponse>, BadRequest<ErrorBody>, PayloadTooLarge<ErrorBody>, UnsupportedMediaType<ErrorBody>>> Upload(
        HttpContext http, IAccountStore accounts, IBlobStore blobs, OrgAdmission admission, IOptions<ServerOptions> options, IOptions<InputLimits> inputLimits,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var limit = options.Value.Limits.MaxUploadBytes;
        if (http.Request.ContentLength > limit + MultipartOverhead)
        {
            return ApiErrors.TooLarge($"The upload is {http.Request.ContentLength} bytes, larger than the upload limit of {limit} bytes (Limits:MaxUploadBytes).");
        }

        if (!MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var contentType)
            || !contentType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return ApiErrors.BadRequest("The upload must be multipart/form-data with one part named 'file'.");
        }

        // The organization's quota of stored bytes (docs/api.md §1): no upload once it is full, none that would pass it.
        if (await admission.CheckStoredBytesAsync(http.Caller().OrgId, 0, cancellationToken) is { } full)
        {
            return ApiErrors.TooLarge(full.Detail);
        }

        var reader = new MultipartReader(boundary, http.Request.Body);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                || !disposition.Name.Equals("file", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var fileName = Path.GetFileName(HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value ?? "");
            if (!UploadFiles.IsSupported(fileName))
            {
                var extension = Path.GetExtension(fileName).ToLowerInvariant();
                return ApiErrors.UnsupportedMediaType(
                    $"File '{fileName}' has type '{(extension.Length > 0 ? extension : "(none)")}'; upload a .csv, .json, .jsonl or .ndjson file.");
            }

            var handle = Guid.CreateVersion7();
            var caller = http.Caller();
            var key = BlobKeys.Upload(caller.OrgId, handle);
            long size = 0;
            await using (var writer = await blobs.CreateAsync(key, cancellationToken))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    size += read;
                    if (size > limit)
                    {
                        return ApiErrors.TooLarge($"File '{fileName}' is larger than the upload limit of {limit} bytes (Limits:MaxUploadBytes).");
                    }

                    await writer.Stream.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }

                await writer.CommitAsync(cancellationToken);
            }

            try
            {
                // Deletes the blob on any failure, these and any other.
                await UploadFiles.InspectAsync(blobs, key, fileName, inputLimits.Value, cancellationToken);
            }
            catch (Exception e) when (e is SourceFormatException or FormatException)
            {
                var where = e is SourceFormatException { Line: { } line } && !e.Message.Contains($"line {line}", StringComparison.OrdinalIgnoreCase)
                    ? $" at line {line}"
                    : "";
                var message = $"File '{fileName}' cannot be read{where}: {e.Message}";
                return e is SourceFormatException { TooLarge: true } ? ApiErrors.TooLarge(message) : ApiErrors.BadRequest(message);
            }

            if (await admission.CheckStoredBytesAsync(caller.OrgId, size, cancellationToken) is { } over)
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
                return ApiErrors.TooLarge($"File '{fileName}' is not kept: {over.Detail}");
            }

            try
            {
                await accounts.AddUploadAsync(new UploadRecord(handle, caller.OrgId, fileName, key, size, time.GetUtcNow()), cancellationToken);
            }
            catch
            {
                await blobs.DeleteAsync(key, CancellationToken.None);
                throw;
            }

            return TypedResults.Ok(new UploadResponse(handle, fileName, size));
        }

        return ApiErrors.BadRequest("The upload has no part named 'file'.");
    }
}
