using Microsoft.Extensions.Options;

namespace Enrichflow.Blocks.Validation;

/// <summary>Checks <see cref="EmailValidationOptions"/> and lists every problem, not just the first.</summary>
public sealed class EmailValidationOptionsValidator : IValidateOptions<EmailValidationOptions>
{
    private const string Section = "Email";

    public ValidateOptionsResult Validate(string? name, EmailValidationOptions options)
    {
        var problems = Problems(options);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem with <paramref name="options"/>, each naming the setting and its value.</summary>
    public static List<string> Problems(EmailValidationOptions options)
    {
        var problems = new List<string>();
        if (options.DnsTimeoutMs is < 1 or > 60_000)
        {
            problems.Add($"{Section}:DnsTimeoutMs must be between 1 and 60000; it is {options.DnsTimeoutMs}.");
        }

        if (options.DnsRetries is < 0 or > 10)
        {
            problems.Add($"{Section}:DnsRetries must be between 0 and 10; it is {options.DnsRetries}.");
        }

        if (options.CacheSize < 0)
        {
            problems.Add($"{Section}:CacheSize must be 0 or more; it is {options.CacheSize}.");
        }

        if (options.CacheTtlSeconds < 0)
        {
            problems.Add($"{Section}:CacheTtlSeconds must be 0 or more; it is {options.CacheTtlSeconds}.");
        }

        var servers = options.NameServers ?? [];
        for (var i = 0; i < servers.Count; i++)
        {
            if (!NameServerAddress.TryParse(servers[i], out _))
            {
                problems.Add($"{Section}:NameServers[{i}] '{servers[i]}' is not an IP address or host name with an optional port.");
            }
        }

        return problems;
    }
}
