using Enrichflow.Core.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Storage.Postgres;

public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// The PostgreSQL store (DESIGN.md §5), registered as every store port it implements, as
    /// <c>AddSqliteStore</c> does. The signing-secret port needs the key that encrypts secrets at rest, asked for when it
    /// is first used. Call <see cref="PostgresStore.MigrateAsync"/> before the store is used.
    /// </summary>
    /// <param name="connectionString">An Npgsql connection string, or a <c>postgres://</c> URL (<see cref="PostgresConnection.Parse"/>).</param>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services, string connectionString, Func<IServiceProvider, byte[]> signingSecretKey)
    {
        ArgumentNullException.ThrowIfNull(signingSecretKey);
        var parsed = PostgresConnection.Parse(connectionString);
        services.AddSingleton(_ => new PostgresStore(parsed));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IWorkflowStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IRunStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IKeyIndexStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IWebhookDeliveryStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<INotebookStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IExportLedger>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IProviderCache>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IUsageStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IProviderJobStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IScheduleStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IOrgLimitStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IProviderQuotaStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IRetentionStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<IDutyLeaseStore>(sp => sp.GetRequiredService<PostgresStore>());
        services.AddSingleton<ISigningSecretStore>(sp => sp.GetRequiredService<PostgresStore>().UseSigningSecretKey(signingSecretKey(sp)));
        return services;
    }
}
