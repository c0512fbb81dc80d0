namespace Enrichflow.Storage.S3;

/// <summary>
/// Where an <see cref="S3BlobStore"/> keeps its blobs: a bucket (and a key prefix inside it) on an S3-compatible
/// server reached with path-style addressing (<c>http://host:port/bucket/key</c>), and how hard it tries.
/// Configuration: <c>--blobs s3://bucket/prefix</c> (<see cref="FromUri"/>) plus the <c>Blobs:S3:*</c> settings.
/// </summary>
public sealed class S3BlobStoreOptions
{
    /// <summary>The setting names, as error messages cite them.</summary>
    public const string ServiceUrlSetting = "Blobs:S3:ServiceUrl";
    public const string RegionSetting = "Blobs:S3:Region";
    public const string AccessKeySetting = "Blobs:S3:AccessKey";
    public const string SecretKeySetting = "Blobs:S3:SecretKey";
    public const string BucketSetting = "Blobs:S3:Bucket";

    /// <summary>The smallest part S3 accepts in a multipart upload (all but the last part).</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    /// <summary>The server, e.g. <c>http://127.0.0.1:9000</c>; null for AWS itself (the region's endpoint).</summary>
    public Uri? ServiceUrl { get; set; }

    /// <summary>The region requests are signed for; most S3-compatible servers accept any.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The access key id; with <see cref="SecretKey"/>. Both null: the SDK's default credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public string Bucket { get; set; } = "";

    /// <summary>Put before every blob key, e.g. <c>enrichflow/</c>; empty or ending with '/'.</summary>
    public string KeyPrefix { get; set; } = "";

    /// <summary>
    /// A blob larger than this is written as a multipart upload of parts this size, each sent while the next is being
    /// written; a smaller one is one PUT at commit. At least <see cref="MinimumPartSize"/>.
    /// </summary>
    public int PartSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Retries of one request after a 500, 503, throttling answer, time-out or broken connection (exponential backoff with jitter), before it fails.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>How long one request (one attempt) may take before it is abandoned and retried.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>How long opening a connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The bucket and key prefix of <c>s3://bucket/prefix</c> (the prefix gets a trailing '/'); the other settings stay as they are.</summary>
    /// <exception cref="ArgumentException">Not an <c>s3://</c> address with a bucket.</exception>
    public static S3BlobStoreOptions FromUri(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        const string scheme = "s3://";
        if (!uri.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Blob store address '{uri}' is not of the form s3://bucket/prefix.", nameof(uri));
        }

        var rest = uri[scheme.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? "" : rest[(slash + 1)..].Trim('/');
        if (bucket.Length == 0)
        {
            throw new ArgumentException($"Blob store address '{uri}' names no bucket; the form is s3://bucket/prefix.", nameof(uri));
        }

        return new S3BlobStoreOptions { Bucket = bucket, KeyPrefix = prefix.Length == 0 ? "" : prefix + "/" };
    }

    /// <summary>Every problem with these options, each naming its setting; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (!IsValidBucketName(Bucket))
        {
            problems.Add($"{BucketSetting}: '{Bucket}' is not a bucket name (3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit).");
        }

        if (ServiceUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
        {
            problems.Add($"{ServiceUrlSetting}: '{url}' is not an absolute http or https address.");
        }

        if (string.IsNullOrWhiteSpace(Region))
        {
            problems.Add($"{RegionSetting}: a region is required (any name, e.g. us-east-1, for most S3-compatible servers).");
        }

        if (string.IsNullOrEmpty(AccessKey) != string.IsNullOrEmpty(SecretKey))
        {
            problems.Add($"{AccessKeySetting} and {SecretKeySetting}: set both or neither (neither: the AWS SDK's default credentials).");
        }

        if (KeyPrefix.Length > 0 && (!KeyPrefix.EndsWith('/') || KeyPrefix.StartsWith('/') || KeyPrefix.Contains("//", StringComparison.Ordinal)))
        {
            problems.Add($"Key prefix '{KeyPrefix}' must be '/'-separated segments ending with '/', e.g. 'enrichflow/'.");
        }

        if (PartSize < MinimumPartSize)
        {
            problems.Add($"Part size {PartSize} is below S3's minimum of {MinimumPartSize} bytes.");
        }

        if (MaxRetries < 0 || RequestTimeout <= TimeSpan.Zero || ConnectTimeout <= TimeSpan.Zero)
        {
            problems.Add("Retries may not be negative and time-outs must be positive.");
        }

        return problems;
    }

    private static bool IsValidBucketName(string name) =>
        name.Length is >= 3 and <= 63
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '-')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);
}
