namespace Enrichflow.Hosting;

/// <summary>
/// Console logs: one line per event by default, JSON (structured, one object per line) with
/// <c>Logging:Format=json</c>. Row contents and secrets are never logged.
/// </summary>
public static class LoggingSetup
{
    public static ILoggingBuilder AddEnrichflowLogging(this ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.ClearProviders();
        logging.AddConfiguration(configuration.GetSection("Logging"));
        if (string.Equals(configuration["Logging:Format"], "json", StringComparison.OrdinalIgnoreCase))
        {
            // Scopes carry the run and unit a line was logged for (RunId, UnitKind, BlockId, Chunk, Unit).
            logging.AddJsonConsole(o =>
            {
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                o.IncludeScopes = true;
            });
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
                o.UseUtcTimestamp = true;
            });
        }

        if (configuration["Logging:LogLevel:Default"] is null)
        {
            logging.SetMinimumLevel(LogLevel.Information);
            logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
            logging.AddFilter("Microsoft.Hosting", LogLevel.Information);
            // Polly reports every provider request as an "execution attempt" at Information; its retries and
            // failures come at Warning and above, which is what an operator needs from it.
            logging.AddFilter("Polly", LogLevel.Warning);
        }

        return logging;
    }
}
