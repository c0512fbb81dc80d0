using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Storage.Sqlite;

public static class SqliteServiceCollectionExtensions
{
    /// <summary>
    /// The embedded store in one database file, registered as every store port it implements. The signing-secret
    /// port needs the key that encrypts secrets at rest, asked for when it is first used. <paramref name="synchronousFull"/>
    /// (asked for when the store is first used) makes every commit wait for the disk (<c>PRAGMA synchronous = FULL</c>).
    /// </summary>
    public static IServiceCollection AddSqliteStore(this IServiceCollection services, string databasePath, Func<IServiceProvider, byte[]> signingSecretKey, Func<IServiceProvider, bool>? synchronousFull = null)
    {
        ArgumentNullException.ThrowIfNull(signingSecretKey);
        services.AddSingleton(sp => new SqliteStore(databasePath, synchronousFull?.Invoke(sp) ?? false, sp.GetService<TimeProvider>()));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWorkflowStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IRunStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IKeyIndexStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWebhookDeliveryStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<INotebookStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IExportLedger>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IProviderCache>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IProviderJobStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IScheduleStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IOrgLimitStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IProviderQuotaStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IRetentionStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IDutyLeaseStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<ISigningSecretStore>(sp => sp.GetRequiredService<SqliteStore>().UseSigningSecretKey(signingSecretKey(sp)));
        return services;
    }
}
