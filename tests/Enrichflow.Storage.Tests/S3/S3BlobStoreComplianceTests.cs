using Enrichflow.Core.Storage;
using Enrichflow.Storage.S3;
using Enrichflow.Storage.Tests.Compliance;

namespace Enrichflow.Storage.Tests.S3;

/// <summary>The whole blob store compliance suite on the real S3 server, a fresh bucket per test, keys under a prefix.</summary>
public sealed class S3BlobStoreComplianceTests : BlobStoreCompliance
{
    private S3BlobStore? _s3;

    protected override async ValueTask<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var bucket = await S3TestServer.CreateBucketAsync(cancellationToken);
        return _s3 = new S3BlobStore(S3TestServer.Options(bucket, keyPrefix: "enrichflow/"));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _s3?.Dispose();
    }
}

/// <summary>The compliance suite again with the keys at the bucket's root (no key prefix).</summary>
public sealed class S3BlobStoreAtTheBucketRootComplianceTests : BlobStoreCompliance
{
    private S3BlobStore? _s3;

    protected override async ValueTask<IBlobStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var bucket = await S3TestServer.CreateBucketAsync(cancellationToken);
        return _s3 = new S3BlobStore(S3TestServer.Options(bucket));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _s3?.Dispose();
    }
}
