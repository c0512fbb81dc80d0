using System.Globalization;
using Enrichflow.Core.Diagnostics;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting.Retention;

/// <summary>What one pass of <see cref="RetentionSweep"/> removed.</summary>
public sealed record RetentionPass(int RunsExpired, int UploadsExpired, int IdempotencyExpired, int OrphanBlobs, long OrphanBytes, int TempFiles, long TempBytes, StoreSize Store);

/// <summary>
/// One retention pass (docs/api.md §9.1), run by <see cref="RetentionService"/> on its interval: expired runs (rows
/// first, then their blobs, so a crash between leaves orphans for the next pass, never a record without its files),
/// expired uploads and idempotency records; then the blob sweep (unit files of ended runs, blobs no record owns once
/// they are <see cref="RetentionOptions.OrphanMinutes"/> old, stale temp files); then the store is checkpointed (and
/// vacuumed after large deletes) and the sizes recorded for <c>/readyz</c>. Passes never overlap.
/// </summary>
public sealed partial class RetentionSweep(
    IRetentionStore store,
    IRunStore runs,
    IBlobStore blobs,
    StorageUsage usage,
    RetentionClock clock,
    IOptions<RetentionOptions> options,
    ILogger<RetentionSweep> logger)
{
    private const int RunBatch = 100;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<RetentionPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var settings = options.Value;
            var now = clock.Time.GetUtcNow();
            var runs = settings.RunDays > 0 ? await ExpireRunsAsync(now.AddDays(-settings.RunDays), cancellationToken) : 0;
            var uploads = settings.UploadDays > 0 ? await ExpireUploadsAsync(now.AddDays(-settings.UploadDays), cancellationToken) : 0;
            var idempotency = settings.IdempotencyHours > 0 ? await store.DeleteExpiredIdempotencyAsync(now.AddHours(-settings.IdempotencyHours), cancellationToken) : 0;
            var (orphans, orphanBytes) = await SweepBlobsAsync(now.AddMinutes(-settings.OrphanMinutes), cancellationToken);
            var (temps, tempBytes) = await blobs.DeleteStaleWritesAsync(now.AddMinutes(-settings.TempFileMinutes), cancellationToken);
            var size = await store.CompactAsync(cancellationToken);
            await MeasureAsync(now, cancellationToken);
            var pass = new RetentionPass(runs, uploads, idempotency, orphans, orphanBytes, temps, tempBytes, size);
            if (runs + uploads + idempotency + orphans + temps > 0)
            {
                LogPass(logger, runs, uploads, idempotency, orphans, orphanBytes, temps, size.TotalBytes);
            }

            return pass;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<int> ExpireRunsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var expired = 0;
        while (true)
        {
            var batch = await store.ListExpiredRunsAsync(before, RunBatch, cancellationToken);
            foreach (var runId in batch)
            {
                if (await store.DeleteRunAsync(runId, cancellationToken))
                {
                    expired++;
                    LogRunExpired(logger, runId);
                }

                await blobs.DeletePrefixAsync(BlobKeys.RunPrefix(runId), cancellationToken);
            }

            if (batch.Count < RunBatch)
            {
                return expired;
            }
        }
    }

    private async Task<int> ExpireUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        var expired = await store.DeleteExpiredUploadsAsync(before, cancellationToken);
        foreach (var upload in expired)
        {
            // An interactive block's output is an upload record over the run's own result file: the file stays with the run.
            if (upload.BlobKey.StartsWith(UploadsPrefix, StringComparison.Ordinal))
            {
                await blobs.DeleteAsync(upload.BlobKey, cancellationToken);
            }
        }

        return expired.Count;
    }

    private const string RunsPrefix = "runs/";
    private const string UploadsPrefix = "uploads/";

    /// <summary>
    /// Under <c>runs/</c>: a directory of no run goes once its files are old enough; a completed or cancelled run's
    /// unit files and input go once it ended that long ago (when <see cref="UnitBlobCleanup"/> missed them, or a
    /// stopped unit wrote after it) (nothing reads them once its results are assembled: a completed or cancelled run cannot be resumed);
    /// a unit file whose chunk was committed by another attempt (a lost lease's) goes once old enough. Under
    /// <c>uploads/</c>: a file no upload record names goes once old enough.
    /// </summary>
    private async Task<(int Count, long Bytes)> SweepBlobsAsync(DateTimeOffset orphanBefore, CancellationToken cancellationToken)
    {
        var (count, bytes) = (0, 0L);
        var statuses = await store.ListRunStatusesAsync(cancellationToken);
        var byRun = new Dictionary<Guid, List<BlobInfo>>();
        await foreach (var blob in blobs.ListInfoAsync(RunsPrefix, cancellationToken))
        {
            if (RunOf(blob.Key) is { } runId)
            {
                (byRun.TryGetValue(runId, out var list) ? list : byRun[runId] = []).Add(blob);
            }
        }

        foreach (var (runId, files) in byRun)
        {
            List<BlobInfo> doomed;
            if (!statuses.TryGetValue(runId, out var state))
            {
                doomed = [.. files.Where(f => f.LastWritten < orphanBefore)];
                if (doomed.Count == files.Count)
                {
                    await blobs.DeletePrefixAsync(BlobKeys.RunPrefix(runId), cancellationToken);
                    (count, bytes) = (count + doomed.Count, bytes + doomed.Sum(f => f.Size));
                    continue;
                }
            }
            else if (state.Status is RunStatus.Completed or RunStatus.Cancelled)
            {
                // A cancelled run's partial results are assembled from its unit files after it ended: wait as for orphans.
                if (state.EndedAt is not { } ended || ended >= orphanBefore)
                {
                    continue;
                }

                // Unit files are the rows of result files not rendered yet (docs/api.md §3.1): they stay while any is pending.
                var pending = (await runs.ListResultFilesAsync(runId, cancellationToken)).Any(f => f.Pending);
                doomed = [.. files.Where(f => pending ? f.Key.StartsWith(InputPrefix(runId), StringComparison.Ordinal) : IsWorkFile(runId, f.Key))];
            }
            else
            {
                var committed = await store.ListCommittedOutputsAsync(runId, cancellationToken);
                var chunks = committed.Select(c => (c.BlockId, c.Chunk)).ToHashSet();
                doomed = [.. files.Where(f => f.LastWritten < orphanBefore && UnitFileOf(runId, f.Key) is { } unit
                    && chunks.Contains((unit.BlockId, unit.Chunk)) && !committed.Contains(unit))];
            }

            foreach (var file in doomed)
            {
                await blobs.DeleteAsync(file.Key, cancellationToken);
                (count, bytes) = (count + 1, bytes + file.Size);
            }
        }

        var uploadKeys = await store.ListUploadBlobKeysAsync(cancellationToken);
        await foreach (var blob in blobs.ListInfoAsync(UploadsPrefix, cancellationToken))
        {
            if (blob.LastWritten < orphanBefore && !uploadKeys.Contains(blob.Key))
            {
                await blobs.DeleteAsync(blob.Key, cancellationToken);
                (count, bytes) = (count + 1, bytes + blob.Size);
            }
        }

        return (count, bytes);
    }

    private async Task MeasureAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var (total, files) = (0L, 0L);
        await foreach (var blob in blobs.ListInfoAsync("", cancellationToken))
        {
            (total, files) = (total + blob.Size, files + 1);
        }

        usage.Record(new StorageSnapshot(now, total, files, await store.ListOrganizationStorageAsync(cancellationToken)));
    }

    /// <summary>The run of a key <c>runs/{id:N}/...</c>; null for any other shape.</summary>
    private static Guid? RunOf(string key)
    {
        var end = key.IndexOf('/', RunsPrefix.Length);
        return end > RunsPrefix.Length && Guid.TryParseExact(key.AsSpan(RunsPrefix.Length, end - RunsPrefix.Length), "N", out var id) ? id : null;
    }

    /// <summary>
    /// A unit file or the run's input: of no use once the run is completed or cancelled. (Result files stay, and so do
    /// the files blocks keep under <c>blocks/</c>, such as a Slack summary's claim, which stops a second send.)
    /// </summary>
    public static bool IsWorkFile(Guid runId, string key) =>
        key.StartsWith(UnitsPrefix(runId), StringComparison.Ordinal) || key.StartsWith(InputPrefix(runId), StringComparison.Ordinal);

    public static string UnitsPrefix(Guid runId) => $"{BlobKeys.RunPrefix(runId)}units/";

    public static string InputPrefix(Guid runId) => $"{BlobKeys.RunPrefix(runId)}input/";

    /// <summary>The block, chunk and tag of a unit file <c>runs/{id}/units/{block}/{chunk:D7}.{tag:N}.efo</c>; null for any other key.</summary>
    private static (string BlockId, int Chunk, Guid Tag)? UnitFileOf(Guid runId, string key)
    {
        var prefix = UnitsPrefix(runId);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var parts = key[prefix.Length..].Split('/');
        if (parts.Length != 2 || parts[1].Split('.') is not [var chunk, var tag, "efo"])
        {
            return null;
        }

        return int.TryParse(chunk, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && Guid.TryParseExact(tag, "N", out var guid)
            ? (parts[0], number, guid)
            : null;
    }

    [LoggerMessage(EventId = LogEvents.RetentionPassDone, Level = LogLevel.Information,
        Message = "Retention removed {Runs} expired runs, {Uploads} uploads, {Idempotency} idempotency records, {Orphans} orphaned blobs ({OrphanBytes} bytes) and {Temps} stale temp files; the store is {StoreBytes} bytes")]
    private static partial void LogPass(ILogger logger, int runs, int uploads, int idempotency, int orphans, long orphanBytes, int temps, long storeBytes);

    [LoggerMessage(EventId = LogEvents.RetentionRunExpired, Level = LogLevel.Debug, Message = "Run {RunId} expired and was deleted")]
    private static partial void LogRunExpired(ILogger logger, Guid runId);
}
