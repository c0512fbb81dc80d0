using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Storage.LocalDisk;

public static class LocalDiskServiceCollectionExtensions
{
    /// <summary>Blobs as files under <paramref name="rootDirectory"/>; <paramref name="flushToDisk"/> says (when first used) whether each is fsynced before commit.</summary>
    public static IServiceCollection AddLocalDiskBlobs(this IServiceCollection services, string rootDirectory, Func<IServiceProvider, bool> flushToDisk)
    {
        ArgumentNullException.ThrowIfNull(flushToDisk);
        services.AddSingleton<IBlobStore>(sp => new LocalDiskBlobStore(rootDirectory, flushToDisk(sp)));
        return services;
    }
}
