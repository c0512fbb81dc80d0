using Enrichflow.Core.Storage;

namespace Enrichflow.Hosting.Retention;

/// <summary>What the last retention pass measured: the blob store's bytes and each organization's records (shown by <c>/readyz</c>).</summary>
public sealed record StorageSnapshot(DateTimeOffset MeasuredAt, long BlobBytes, long BlobCount, IReadOnlyList<OrganizationStorage> Organizations);

/// <summary>The last <see cref="StorageSnapshot"/>, null until the first pass has run.</summary>
public sealed class StorageUsage
{
    private StorageSnapshot? _latest;

    public StorageSnapshot? Latest => Volatile.Read(ref _latest);

    internal void Record(StorageSnapshot snapshot) => Volatile.Write(ref _latest, snapshot);
}
