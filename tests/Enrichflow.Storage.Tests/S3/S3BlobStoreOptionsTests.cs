using Enrichflow.Storage.S3;

namespace Enrichflow.Storage.Tests.S3;

public sealed class S3BlobStoreOptionsTests
{
    [Theory]
    [InlineData("s3://enrichflow-blobs", "enrichflow-blobs", "")]
    [InlineData("s3://enrichflow-blobs/", "enrichflow-blobs", "")]
    [InlineData("s3://enrichflow-blobs/prod", "enrichflow-blobs", "prod/")]
    [InlineData("s3://enrichflow-blobs/teams/a/", "enrichflow-blobs", "teams/a/")]
    public void An_s3_address_gives_the_bucket_and_the_key_prefix(string uri, string bucket, string prefix)
    {
        var options = S3BlobStoreOptions.FromUri(uri);

        Assert.Equal(bucket, options.Bucket);
        Assert.Equal(prefix, options.KeyPrefix);
    }

    [Theory]
    [InlineData("http://bucket/prefix")]
    [InlineData("s3://")]
    [InlineData("s3:///prefix")]
    public void An_address_that_is_not_s3_bucket_prefix_is_rejected(string uri)
    {
        var error = Assert.Throws<ArgumentException>(() => S3BlobStoreOptions.FromUri(uri));

        Assert.Contains("s3://bucket/prefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_lists_every_problem_by_its_setting()
    {
        var options = new S3BlobStoreOptions { Bucket = "Bad_Bucket", ServiceUrl = new Uri("ftp://x/"), AccessKey = "only-the-key", PartSize = 1024 };

        var problems = options.Validate();

        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith(S3BlobStoreOptions.BucketSetting, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith(S3BlobStoreOptions.ServiceUrlSetting, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(S3BlobStoreOptions.SecretKeySetting, StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Part size", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => new S3BlobStore(options));
    }
}
