using Enrichflow.Storage.LocalDisk;
using Enrichflow.Storage.S3;
using Microsoft.Extensions.Options;

namespace Enrichflow.Hosting;

/// <summary>
/// Which blob store a process uses (docs/api.md §9): setting <c>Blobs</c> (<c>serve --blobs</c>) empty or <c>local</c>
/// for files under the data directory (the default), or <c>s3://bucket/prefix</c> for an S3-compatible bucket reached
/// with the <c>Blobs:S3:*</c> settings (<c>ServiceUrl</c>, <c>Region</c>, <c>AccessKey</c>, <c>SecretKey</c>).
/// </summary>
public static class BlobsSetup
{
    public const string BlobsSetting = "Blobs";

    public static IServiceCollection AddBlobs(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (IsS3(configuration))
        {
            services.AddS3Blobs(_ => S3Options(configuration));
        }
        else
        {
            services.AddLocalDiskBlobs(Path.Combine(dataDirectory, "blobs"), sp => sp.GetRequiredService<IOptions<EnrichflowOptions>>().Value.FlushBlobsToDisk);
        }

        return services;
    }

    /// <summary>What is wrong with the blob settings, each problem naming its setting; empty when none.</summary>
    public static IEnumerable<string> Problems(IConfiguration configuration)
    {
        var blobs = configuration[BlobsSetting];
        if (string.IsNullOrWhiteSpace(blobs) || blobs == "local")
        {
            return [];
        }

        if (!IsS3(configuration))
        {
            return [$"{BlobsSetting} must be 'local' or s3://bucket/prefix (was '{blobs}')."];
        }

        try
        {
            return S3Options(configuration).Validate();
        }
        catch (ArgumentException e)
        {
            return [$"{BlobsSetting}: {e.Message}"];
        }
    }

    /// <summary>At start: an S3 bucket must exist and take the credentials (<see cref="S3BlobStore.CheckAsync"/>); local disk needs no check.</summary>
    /// <exception cref="S3BlobStoreException">The bucket, credentials or server are wrong; the message names the setting.</exception>
    public static Task CheckBlobsAsync(IServiceProvider services, CancellationToken cancellationToken) =>
        services.GetService<S3BlobStore>() is { } s3 ? s3.CheckAsync(cancellationToken) : Task.CompletedTask;

    private static bool IsS3(IConfiguration configuration) =>
        configuration[BlobsSetting]?.StartsWith("s3://", StringComparison.OrdinalIgnoreCase) == true;

    private static S3BlobStoreOptions S3Options(IConfiguration configuration)
    {
        var options = S3BlobStoreOptions.FromUri(configuration[BlobsSetting]!);
        var s3 = configuration.GetSection("Blobs:S3");
        if (s3["ServiceUrl"] is { Length: > 0 } url)
        {
            options.ServiceUrl = Uri.TryCreate(url, UriKind.Absolute, out var uri)
                ? uri
                : throw new ArgumentException($"{S3BlobStoreOptions.ServiceUrlSetting}: '{url}' is not an absolute http or https address.");
        }

        options.Region = s3["Region"] is { Length: > 0 } region ? region : options.Region;
        options.AccessKey = s3["AccessKey"] is { Length: > 0 } accessKey ? accessKey : null;
        options.SecretKey = s3["SecretKey"] is { Length: > 0 } secretKey ? secretKey : null;
        return options;
    }
}
