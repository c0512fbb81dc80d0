using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Enrichflow.Storage.S3;

public static class S3ServiceCollectionExtensions
{
    /// <summary>
    /// Blobs in an S3-compatible bucket (<see cref="S3BlobStore"/>), as <see cref="IBlobStore"/> and as itself, whose
    /// <see cref="S3BlobStore.CheckAsync"/> hosting calls at start so a wrong bucket or credentials stop the process.
    /// </summary>
    public static IServiceCollection AddS3Blobs(this IServiceCollection services, Func<IServiceProvider, S3BlobStoreOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(sp => new S3BlobStore(options(sp), sp.GetService<ILogger<S3BlobStore>>()));
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<S3BlobStore>());
        return services;
    }

    /// <inheritdoc cref="AddS3Blobs(IServiceCollection, Func{IServiceProvider, S3BlobStoreOptions})"/>
    public static IServiceCollection AddS3Blobs(this IServiceCollection services, S3BlobStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return services.AddS3Blobs(_ => options);
    }
}
