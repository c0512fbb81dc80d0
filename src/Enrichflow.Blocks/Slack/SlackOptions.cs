using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Enrichflow.Blocks.Slack;

/// <summary>
/// The <c>Slack</c> section of the server configuration (docs/api.md §9): incoming webhooks by name. A workflow
/// names a webhook, never its URL, which is a secret (<c>ENRICHFLOW_Slack__Webhooks__alerts=https://hooks.slack.com/...</c>).
/// </summary>
public sealed class SlackOptions
{
    /// <summary>Incoming-webhook URLs by name (names are case-insensitive, like configuration keys).</summary>
    public Dictionary<string, string> Webhooks { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The least time between two messages to one webhook, shared by every run (Slack allows one a second).</summary>
    public int MinIntervalMs { get; set; } = 1000;

    /// <summary>Attempts per message, counting the first; 429 (after its <c>Retry-After</c>), 408, 5xx and network errors are retried.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The first wait before retrying a 5xx or a network error; it doubles with each attempt.</summary>
    public int RetryDelayMs { get; set; } = 1000;

    /// <summary>How long one POST may take.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}

/// <summary>Checks <see cref="SlackOptions"/> at start, listing every problem.</summary>
public sealed class SlackOptionsValidator : IValidateOptions<SlackOptions>
{
    public ValidateOptionsResult Validate(string? name, SlackOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        foreach (var (webhook, url) in options.Webhooks)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps && !(uri.Scheme == Uri.UriSchemeHttp && IsLoopback(uri)))
            {
                // The URL is a secret: the message names the setting, never its value.
                problems.Add($"Slack:Webhooks:{webhook} must be an absolute https URL (http only for a loopback address).");
            }
        }

        if (options.MinIntervalMs is < 0 or > 600_000)
        {
            problems.Add($"Slack:MinIntervalMs must be between 0 and 600000; it is {options.MinIntervalMs}.");
        }

        if (options.MaxAttempts is < 1 or > 20)
        {
            problems.Add($"Slack:MaxAttempts must be between 1 and 20; it is {options.MaxAttempts}.");
        }

        if (options.RetryDelayMs is < 0 or > 600_000)
        {
            problems.Add($"Slack:RetryDelayMs must be between 0 and 600000; it is {options.RetryDelayMs}.");
        }

        if (options.TimeoutSeconds is < 1 or > 600)
        {
            problems.Add($"Slack:TimeoutSeconds must be between 1 and 600; it is {options.TimeoutSeconds}.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback || IPAddress.TryParse(uri.DnsSafeHost, out var address) && IPAddress.IsLoopback(address);
}

/// <summary>Registers what <c>send_slack_message</c> uses at run time.</summary>
public static class SlackServiceCollectionExtensions
{
    /// <summary>Adds <see cref="SlackOptions"/> from <paramref name="section"/> (validated on start) and the shared <see cref="SlackPacer"/>.</summary>
    public static IServiceCollection AddEnrichflowSlack(this IServiceCollection services, IConfiguration? section = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<SlackOptions>();
        if (section is not null)
        {
            options.Configure(o =>
            {
                section.Bind(o);
                foreach (var webhook in section.GetSection("Webhooks").GetChildren())
                {
                    o.Webhooks[webhook.Key] = webhook.Value ?? "";
                }
            });
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SlackOptions>, SlackOptionsValidator>());
        services.TryAddSingleton(sp => new SlackPacer(sp.GetRequiredService<IOptions<SlackOptions>>().Value, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return services;
    }
}
