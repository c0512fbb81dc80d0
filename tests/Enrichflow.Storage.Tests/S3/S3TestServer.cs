using Amazon.S3;
using Amazon.S3.Model;
using Enrichflow.Storage.S3;

namespace Enrichflow.Storage.Tests.S3;

/// <summary>
/// The real S3-protocol server the S3 tests run against: the one <c>scripts/s3.sh</c> starts (./test.sh does) and
/// names in <c>ENRICHFLOW_TEST_S3</c>. Each test makes its own bucket, so tests never see each other's objects.
/// </summary>
public static class S3TestServer
{
    public const string AddressVariable = "ENRICHFLOW_TEST_S3";

    public static Uri Address => Environment.GetEnvironmentVariable(AddressVariable) is { Length: > 0 } address
        ? new Uri(address)
        : throw new InvalidOperationException(
            $"{AddressVariable} is not set: the S3 blob store tests need a real S3-protocol server on 127.0.0.1. Run ./test.sh, "
            + "or scripts/s3.sh start && eval \"$(scripts/s3.sh env)\" before running the tests (scripts/s3.sh stop afterwards).");

    public static string AccessKey => Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_ACCESS_KEY") ?? "S3RVER";

    public static string SecretKey => Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_SECRET_KEY") ?? "S3RVER";

    /// <summary>Options for <paramref name="bucket"/> on the server, or on <paramref name="through"/> (a fault proxy in front of it).</summary>
    public static S3BlobStoreOptions Options(string bucket, Uri? through = null, string keyPrefix = "") => new()
    {
        ServiceUrl = through ?? Address,
        AccessKey = AccessKey,
        SecretKey = SecretKey,
        Bucket = bucket,
        KeyPrefix = keyPrefix,
        RequestTimeout = TimeSpan.FromSeconds(30),

        // The smallest S3 allows, so multipart tests need only a few megabytes.
        PartSize = S3BlobStoreOptions.MinimumPartSize,
    };

    /// <summary>Makes a new, empty bucket and returns its name.</summary>
    public static async Task<string> CreateBucketAsync(CancellationToken cancellationToken)
    {
        var bucket = "t-" + Guid.NewGuid().ToString("N");
        using var client = Client();
        await client.PutBucketAsync(new PutBucketRequest { BucketName = bucket }, cancellationToken);
        return bucket;
    }

    /// <summary>Every object key in <paramref name="bucket"/>, the store's records of writes in progress included.</summary>
    public static async Task<List<string>> RawKeysAsync(string bucket, CancellationToken cancellationToken)
    {
        using var client = Client();
        var response = await client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket }, cancellationToken);
        return [.. (response.S3Objects ?? []).Select(o => o.Key)];
    }

    private static AmazonS3Client Client() => new(AccessKey, SecretKey, new AmazonS3Config
    {
        ServiceURL = Address.ToString(),
        ForcePathStyle = true,
        AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = Amazon.Runtime.RequestChecksumCalculation.WHEN_REQUIRED,
        ResponseChecksumValidation = Amazon.Runtime.ResponseChecksumValidation.WHEN_REQUIRED,
    });
}
