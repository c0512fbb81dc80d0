namespace Enrichflow.Core.Storage;

/// <summary>
/// What retention (docs/api.md §9.1) asks of the store: which records have expired, deleting them with every row that
/// belongs to them, what the blob sweep needs to tell a blob that belongs to something from an orphan, sizes, and
/// compaction.
/// </summary>
public interface IRetentionStore
{
    /// <summary>
    /// Up to <paramref name="limit"/> runs that ended (completed, failed or cancelled) before <paramref name="before"/>,
    /// or are paused and were last updated before it; oldest first.
    /// </summary>
    Task<IReadOnlyList<Guid>> ListExpiredRunsAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes a run and every row about it (blocks, units, result files, export batches, webhook deliveries, its key
    /// scopes, upload records that point into its blobs) in one transaction; the usage it recorded stays. Its blobs
    /// are the caller's to delete. False when there was no such run.
    /// </summary>
    Task<bool> DeleteRunAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes the upload records created before <paramref name="before"/> that no schedule names and no run that can
    /// still read its input (queued, running, paused or failed) uses; returns the deleted records (their blobs are the
    /// caller's to delete).
    /// </summary>
    Task<IReadOnlyList<UploadRecord>> DeleteExpiredUploadsAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Deletes the idempotency records created before <paramref name="before"/>; returns how many.</summary>
    Task<int> DeleteExpiredIdempotencyAsync(DateTimeOffset before, CancellationToken cancellationToken);

    /// <summary>Every run's status and, once it ended, when (the blob sweep's view of which run directories belong to a run).</summary>
    Task<IReadOnlyDictionary<Guid, (RunStatus Status, DateTimeOffset? EndedAt)>> ListRunStatusesAsync(CancellationToken cancellationToken);

    /// <summary>The block, chunk and output tag of each of a run's done units that wrote files (which unit files are the committed ones).</summary>
    Task<IReadOnlySet<(string BlockId, int Chunk, Guid Tag)>> ListCommittedOutputsAsync(Guid runId, CancellationToken cancellationToken);

    /// <summary>Every blob key an upload record names.</summary>
    Task<IReadOnlySet<string>> ListUploadBlobKeysAsync(CancellationToken cancellationToken);

    /// <summary>Each organization's runs, uploads and the bytes of its result files and uploads, by organization id.</summary>
    Task<IReadOnlyList<OrganizationStorage>> ListOrganizationStorageAsync(CancellationToken cancellationToken);

    /// <summary>The bytes the store occupies on disk (the database and its journal files).</summary>
    Task<StoreSize> MeasureAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Folds the journal into the database and truncates it; when at least a quarter of the database's pages are free
    /// (after large deletes) gives them back to the file system first. Returns the size afterwards.
    /// </summary>
    Task<StoreSize> CompactAsync(CancellationToken cancellationToken);
}

/// <summary>One organization's stored records: runs, uploads, and the bytes of its result files and uploads.</summary>
public sealed record OrganizationStorage(string OrgId, long Runs, long Uploads, long ResultBytes, long UploadBytes);

/// <summary>The store's bytes on disk: the database file, its write-ahead log, and pages free inside the database.</summary>
public sealed record StoreSize(long DatabaseBytes, long JournalBytes, long FreeBytes)
{
    public long TotalBytes => DatabaseBytes + JournalBytes;
}
