using System.Globalization;

namespace Enrichflow.Fakes;

/// <summary>Configuration pointing providers at this server, and a way to run it until cancelled (bench, manual tries).</summary>
public sealed partial class FakeProviderServer
{
    /// <summary>
    /// <c>Providers:NAME:*</c> entries (for an in-memory configuration) that point a provider of
    /// <paramref name="kind"/> at this server: sixtyfour and http at <see cref="BaseUrl"/>, openai_compatible at
    /// <see cref="OpenAiBaseUrl"/>, each with this server's key; website needs none (give rows a <c>website</c> of
    /// <see cref="SiteUrl"/>). Quick settings for tests: no pacing, short timeouts, 10 ms retry delay, 50 ms polls.
    /// </summary>
    public Dictionary<string, string?> ProviderConfiguration(string name, string kind, string section = "Providers")
    {
        var at = $"{section}:{name}:";
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [at + "Kind"] = kind,
            [at + "RequestsPerMinute"] = "0",
            [at + "MaxConcurrency"] = "0",
            [at + "TimeoutSeconds"] = "5",
            [at + "RetryDelayMs"] = "10",
        };
        switch (kind)
        {
            case "sixtyfour":
                settings[at + "BaseUrl"] = BaseUrl.AbsoluteUri;
                settings[at + "ApiKey"] = ApiKey;
                settings[at + "PollIntervalSeconds"] = 0.05.ToString(CultureInfo.InvariantCulture);
                break;
            case "openai_compatible":
                settings[at + "BaseUrl"] = OpenAiBaseUrl.AbsoluteUri;
                settings[at + "ApiKey"] = ApiKey;
                settings[at + "Model"] = "fake-model";
                break;
            case "http":
                settings[at + "BaseUrl"] = BaseUrl.AbsoluteUri;
                settings[at + "ApiKey"] = ApiKey;
                settings[at + "Path"] = "v1/companies?domain={{domain}}";
                settings[at + "Headers:X-Api-Key"] = "{{api_key}}";
                settings[at + "Fields:company_name"] = "$.data.name";
                settings[at + "Fields:employees"] = "$.data.employees";
                settings[at + "Fields:founded_year"] = "data.founded";
                settings[at + "Fields:country"] = "data.location.country";
                settings[at + "Fields:first_person"] = "data.people[0].name";
                break;
        }

        return settings;
    }

    /// <summary>Starts a server, writes its address to <paramref name="output"/>, and serves until <paramref name="cancellationToken"/> is cancelled.</summary>
    public static async Task RunAsync(FakeProviderOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        await using var server = await StartAsync(options, cancellationToken);
        await output.WriteLineAsync($"Fake providers listening on {server.BaseUrl} (Sixtyfour at /, OpenAI at /v1/, REST at /v1/companies, sites at /sites/DOMAIN/)");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Asked to stop.
        }
    }
}
