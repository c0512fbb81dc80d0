using System.Globalization;
using Microsoft.Extensions.Configuration;

using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// The <c>Providers</c> section read into <see cref="ProviderOptions"/> by name, with the values that could not be
/// read (a number that is not one, an unknown setting) kept as problems so that validation lists them with the rest.
/// With no provider configured, the <c>sample</c> lookup over the shipped <c>samples/companies.csv</c> is the one provider.
/// </summary>
public sealed class ProvidersOptions
{
    public const string Section = "Providers";

    /// <summary>The name of the provider that exists when none is configured: a lookup over the shipped samples.</summary>
    public const string SampleName = "sample";

    /// <summary>The shipped people table's provider (with <see cref="SampleName"/> when nothing is configured).</summary>
    public const string SamplePeopleName = "sample_people";

    private static readonly HashSet<string> KnownSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        nameof(ProviderOptions.Kind), nameof(ProviderOptions.BaseUrl), nameof(ProviderOptions.ApiKey),
        nameof(ProviderOptions.RequestsPerMinute), nameof(ProviderOptions.MaxConcurrency), nameof(ProviderOptions.TimeoutSeconds),
        nameof(ProviderOptions.CreditsPerCall), nameof(ProviderOptions.MaxAttempts), nameof(ProviderOptions.RetryDelayMs),
        nameof(ProviderOptions.Operations), nameof(ProviderOptions.UseAsyncJobs), nameof(ProviderOptions.PollIntervalSeconds),
        nameof(ProviderOptions.Model), nameof(ProviderOptions.Temperature), nameof(ProviderOptions.Path),
        nameof(ProviderOptions.Method), nameof(ProviderOptions.Headers), nameof(ProviderOptions.Body),
        nameof(ProviderOptions.Fields), nameof(ProviderOptions.NotFoundStatuses), nameof(ProviderOptions.MaxBytes),
        nameof(ProviderOptions.Paths), nameof(ProviderOptions.KeyField),
    };

    /// <summary>The providers as configured, by name (empty when none is).</summary>
    public Dictionary<string, ProviderOptions> Configured { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Where relative lookup paths are found first (then next to the application).</summary>
    public string DataDirectory { get; set; } = "";

    /// <summary>Values that could not be read, each naming its configuration path.</summary>
    public List<string> ReadProblems { get; set; } = [];

    /// <summary>True when nothing is configured and <see cref="Providers"/> holds only the <c>sample</c> lookup.</summary>
    public bool IsDefault => Configured.Count == 0;

    /// <summary>The providers by name, in configuration order; the <c>sample</c> lookup when none is configured.</summary>
    public IReadOnlyDictionary<string, ProviderOptions> Providers => IsDefault
        ? new Dictionary<string, ProviderOptions>(StringComparer.Ordinal)
        {
            [SampleName] = SampleOptions(),
            [SamplePeopleName] = SamplePeopleOptions(),
        }
        : Configured;

    /// <summary>The <c>sample</c> provider's options: a lookup over <c>samples/companies.csv</c> keyed by domain.</summary>
    public static ProviderOptions SampleOptions() => new()
    {
        Kind = ProviderKind.Lookup.ToWire(),
        Path = "samples/companies.csv",
        KeyField = "domain",
    };

    /// <summary>The <c>sample_people</c> provider's options: a lookup over <c>samples/people.csv</c> keyed by name, for the person blocks.</summary>
    public static ProviderOptions SamplePeopleOptions() => new()
    {
        Kind = ProviderKind.Lookup.ToWire(),
        Path = "samples/people.csv",
        KeyField = "name",
        Operations = ["enrich_person", "find_email", "find_phone"],
    };

    /// <summary>Reads every child of <paramref name="providersSection"/> (the <c>Providers</c> section) as one provider.</summary>
    public static ProvidersOptions Read(IConfiguration providersSection, string dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(providersSection);
        var problems = new List<string>();
        var providers = new Dictionary<string, ProviderOptions>(StringComparer.Ordinal);
        foreach (var child in providersSection.GetChildren())
        {
            providers[child.Key] = ReadOne(child, problems);
        }

        return new ProvidersOptions { Configured = providers, DataDirectory = dataDirectory, ReadProblems = problems };
    }

    private static ProviderOptions ReadOne(IConfigurationSection section, List<string> problems)
    {
        var reader = new SettingReader(section, problems);
        var options = new ProviderOptions
        {
            Kind = reader.Text(nameof(ProviderOptions.Kind))?.ToLowerInvariant(),
            BaseUrl = reader.Text(nameof(ProviderOptions.BaseUrl)),
            ApiKey = section[nameof(ProviderOptions.ApiKey)],
            RequestsPerMinute = reader.Integer(nameof(ProviderOptions.RequestsPerMinute)),
            MaxConcurrency = reader.Integer(nameof(ProviderOptions.MaxConcurrency)),
            TimeoutSeconds = reader.Number(nameof(ProviderOptions.TimeoutSeconds)),
            CreditsPerCall = reader.Decimal(nameof(ProviderOptions.CreditsPerCall)),
            MaxAttempts = reader.Integer(nameof(ProviderOptions.MaxAttempts)),
            RetryDelayMs = reader.Integer(nameof(ProviderOptions.RetryDelayMs)),
            Operations = reader.List(nameof(ProviderOptions.Operations)),
            UseAsyncJobs = reader.Boolean(nameof(ProviderOptions.UseAsyncJobs)),
            PollIntervalSeconds = reader.Number(nameof(ProviderOptions.PollIntervalSeconds)),
            Model = reader.Text(nameof(ProviderOptions.Model)),
            Temperature = reader.Number(nameof(ProviderOptions.Temperature)),
            Path = reader.Text(nameof(ProviderOptions.Path)),
            Method = reader.Text(nameof(ProviderOptions.Method))?.ToUpperInvariant(),
            Headers = reader.Map(nameof(ProviderOptions.Headers), StringComparer.OrdinalIgnoreCase),
            Body = section[nameof(ProviderOptions.Body)],
            Fields = reader.Map(nameof(ProviderOptions.Fields), StringComparer.Ordinal),
            NotFoundStatuses = [.. reader.List(nameof(ProviderOptions.NotFoundStatuses)).Select(s => reader.ParseInteger(nameof(ProviderOptions.NotFoundStatuses), s)).OfType<int>()],
            MaxBytes = reader.Long(nameof(ProviderOptions.MaxBytes)),
            Paths = reader.List(nameof(ProviderOptions.Paths)),
            KeyField = reader.Text(nameof(ProviderOptions.KeyField))?.ToLowerInvariant(),
        };

        foreach (var child in section.GetChildren())
        {
            if (!KnownSettings.Contains(child.Key))
            {
                problems.Add($"{child.Path} is not a provider setting; the settings are {string.Join(", ", KnownSettings.Order(StringComparer.Ordinal))}.");
            }
        }

        return options;
    }

    /// <summary>Reads typed values of one provider section, adding a problem for each value that does not parse.</summary>
    private readonly struct SettingReader(IConfigurationSection section, List<string> problems)
    {
        public string? Text(string key) => section[key] is { } value && value.Trim().Length > 0 ? value.Trim() : null;

        public int? Integer(string key) => Text(key) is { } text ? ParseInteger(key, text) : null;

        public int? ParseInteger(string key, string text)
        {
            if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            problems.Add($"{section.Path}:{key} '{text}' is not a whole number.");
            return null;
        }

        public long? Long(string key)
        {
            if (Text(key) is not { } text)
            {
                return null;
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            problems.Add($"{section.Path}:{key} '{text}' is not a whole number.");
            return null;
        }

        public double? Number(string key)
        {
            if (Text(key) is not { } text)
            {
                return null;
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
            {
                return value;
            }

            problems.Add($"{section.Path}:{key} '{text}' is not a number.");
            return null;
        }

        public decimal? Decimal(string key)
        {
            if (Text(key) is not { } text)
            {
                return null;
            }

            if (decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            problems.Add($"{section.Path}:{key} '{text}' is not a number.");
            return null;
        }

        public bool? Boolean(string key)
        {
            if (Text(key) is not { } text)
            {
                return null;
            }

            if (bool.TryParse(text, out var value))
            {
                return value;
            }

            problems.Add($"{section.Path}:{key} '{text}' is not true or false.");
            return null;
        }

        /// <summary>An array (<c>Key:0</c>, <c>Key:1</c>, …) or one comma-separated value (handy in environment variables).</summary>
        public List<string> List(string key)
        {
            var child = section.GetSection(key);
            var items = child.GetChildren().Select(c => c.Value).OfType<string>().ToList();
            if (items.Count == 0 && child.Value is { } single)
            {
                items = [.. single.Split(',')];
            }

            return [.. items.Select(i => i.Trim()).Where(i => i.Length > 0)];
        }

        public Dictionary<string, string> Map(string key, StringComparer comparer)
        {
            var map = new Dictionary<string, string>(comparer);
            foreach (var child in section.GetSection(key).GetChildren())
            {
                if (child.Value is { } value)
                {
                    map[child.Key] = value;
                }
                else
                {
                    problems.Add($"{child.Path} should be a text value.");
                }
            }

            return map;
        }
    }
}
