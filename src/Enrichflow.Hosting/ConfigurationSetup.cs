using System.Text.RegularExpressions;

namespace Enrichflow.Hosting;

/// <summary>
/// Configuration sources in docs/api.md §9 order, later winning: built-in defaults, <c>enrichflow.json</c> in the
/// data directory, the <c>--config</c> file, then <c>ENRICHFLOW_</c> environment variables. Values like
/// <c>${NAME}</c> read the environment variable NAME.
/// </summary>
public static partial class ConfigurationSetup
{
    public static IConfigurationBuilder AddEnrichflowSources(this ConfigurationManager configuration, string dataDirectory, string? configFile)
    {
        configuration.Sources.Clear();
        configuration.AddJsonFile(Path.Combine(dataDirectory, "enrichflow.json"), optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            var path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"Configuration file '{path}' (from --config) does not exist.", path);
            }

            configuration.AddJsonFile(path, optional: false, reloadOnChange: false);
        }

        configuration.AddEnvironmentVariables("ENRICHFLOW_");
        ExpandEnvironmentReferences(configuration);
        return configuration;
    }

    /// <summary>Replaces <c>${NAME}</c> in every value by the environment variable NAME; a missing one is an error naming it.</summary>
    private static void ExpandEnvironmentReferences(IConfiguration configuration)
    {
        var missing = new List<string>();
        foreach (var (key, value) in configuration.AsEnumerable().ToList())
        {
            if (value is null || !value.Contains("${", StringComparison.Ordinal))
            {
                continue;
            }

            configuration[key] = Reference().Replace(value, m =>
            {
                var name = m.Groups[1].Value;
                var found = Environment.GetEnvironmentVariable(name);
                if (found is null)
                {
                    missing.Add($"{key} refers to environment variable {name}, which is not set.");
                }

                return found ?? "";
            });
        }

        if (missing.Count > 0)
        {
            throw new InvalidOperationException("Configuration is invalid:" + Environment.NewLine + string.Join(Environment.NewLine, missing.Select(m => "  - " + m)));
        }
    }

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")]
    private static partial Regex Reference();
}
