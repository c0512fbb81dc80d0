using Enrichflow.Dispatch.Hangfire;
using Enrichflow.Engine;
using Enrichflow.Storage.Postgres;

namespace Enrichflow.Hosting;

/// <summary>
/// Which dispatcher carries work units (section <c>Dispatch</c>, docs/api.md §9): <c>embedded</c> (the default: this
/// process claims and runs them) or <c>hangfire</c> (Hangfire on PostgreSQL carries them to the workers of every
/// node, docs/architecture.md §5).
/// </summary>
public sealed class DispatchOptions
{
    public const string Section = "Dispatch";

    public string Kind { get; set; } = "embedded";

    /// <summary>With <c>hangfire</c>: false for a node that serves the API and feeds Hangfire but runs no unit itself.</summary>
    public bool RunWorker { get; set; } = true;

    public bool IsHangfire => Kind.Equals("hangfire", StringComparison.OrdinalIgnoreCase);

    public IEnumerable<string> Validate()
    {
        if (!Kind.Equals("embedded", StringComparison.OrdinalIgnoreCase) && !IsHangfire)
        {
            yield return $"Dispatch:Kind must be 'embedded' or 'hangfire' (was '{Kind}').";
        }

        if (!RunWorker && !IsHangfire)
        {
            yield return "Dispatch:RunWorker is false (serve --no-worker), which needs Dispatch:Kind 'hangfire': with the embedded dispatcher no process would run the units.";
        }
    }
}

public static class DispatchSetup
{
    /// <summary>Connections one process keeps at most for Hangfire, unless its connection string says otherwise.</summary>
    public const int HangfireMaxPoolSize = 6;

    /// <summary>
    /// With <c>Dispatch:Kind = hangfire</c>, makes (or upgrades) Hangfire's schema and returns its name; null on the
    /// embedded dispatcher. A database that cannot be used is an <see cref="IOException"/> naming the setting, never the password.
    /// </summary>
    public static async Task<string?> PrepareHangfireSchemaAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (!services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DispatchOptions>>().Value.IsHangfire)
        {
            return null;
        }

        var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HangfireDispatchOptions>>().Value;
        try
        {
            await HangfireSchema.InstallAsync(options, cancellationToken);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            throw new IOException($"Hangfire's database ({HangfireDispatchOptions.Section}:ConnectionString = {Storage.Postgres.PostgresConnection.Redact(options.ConnectionString)}) cannot be used: {e.Message}", e);
        }

        return options.Schema;
    }

    /// <summary>Adds the dispatcher <c>Dispatch:Kind</c> names; before the engine, which adds the embedded one when none is.</summary>
    internal static IServiceCollection AddDispatch(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new DispatchOptions();
        configuration.GetSection(DispatchOptions.Section).Bind(options);
        services.AddCheckedOptions<DispatchOptions>(o => o.Validate()).Bind(configuration.GetSection(DispatchOptions.Section));
        if (options.IsHangfire)
        {
            // Hangfire keeps its jobs in the store's PostgreSQL database unless told otherwise.
            services.AddHangfireDispatcher(o =>
            {
                o.ConnectionString = StoreSetup.PostgresConnectionString(configuration) ?? "";
                configuration.GetSection(HangfireDispatchOptions.Section).Bind(o);
                if (!string.IsNullOrWhiteSpace(o.ConnectionString))
                {
                    // Hangfire's own pool: its workers use a connection briefly per job state change (see PostgresStore.DefaultMaxPoolSize).
                    o.ConnectionString = PostgresConnection.WithDefaultPoolSize(o.ConnectionString, HangfireMaxPoolSize);
                }
            }, options.RunWorker);
        }

        return services;
    }
}
