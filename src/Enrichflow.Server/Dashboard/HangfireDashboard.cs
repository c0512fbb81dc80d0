using Enrichflow.Engine;
using Enrichflow.Hosting;
using Hangfire;
using Hangfire.Dashboard;
using Microsoft.Extensions.Options;

namespace Enrichflow.Server.Dashboard;

/// <summary>
/// The Hangfire dashboard at <c>/hangfire</c>, with <c>Dispatch:Kind = hangfire</c> only (docs/api.md §9): behind
/// <see cref="DashboardGate"/>, read-only (no retry or delete: the unit table, not Hangfire, decides what runs), and
/// without the storage connection string.
/// </summary>
public static class HangfireDashboard
{
    public static IServiceCollection AddDashboard(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCheckedOptions<DashboardOptions>(o => o.Validate()).Bind(configuration.GetSection(DashboardOptions.Section));
        services.AddSingleton<DashboardSessions>();
        return services;
    }

    public static WebApplication UseDashboard(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<DispatchOptions>>().Value.IsHangfire)
        {
            return app;
        }

        app.UseWhen(http => http.Request.Path.StartsWithSegments(DashboardGate.PathPrefix, StringComparison.OrdinalIgnoreCase), branch => branch.UseMiddleware<DashboardGate>());
        app.UseHangfireDashboard(DashboardGate.PathPrefix, new Hangfire.DashboardOptions
        {
            Authorization = [new GateAdmitted()],
            IsReadOnlyFunc = _ => true,
            DisplayStorageConnectionString = false,
            AppPath = null,
            DashboardTitle = "Enrichflow work units",
        });
        return app;
    }

    /// <summary>Hangfire's own check: the request went through the gate (its default would admit any local request).</summary>
    private sealed class GateAdmitted : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) => context.GetHttpContext().Items.ContainsKey(DashboardGate.Admitted);
    }
}
