namespace Enrichflow.Hosting.Webhooks;

/// <summary>How outgoing webhooks are sent and retried (docs/api.md §6, configuration section <c>Webhooks</c>).</summary>
public sealed class WebhookOptions
{
    public const string Section = "Webhooks";

    /// <summary>How long one attempt may take (connecting, sending, the receiver's answer) before it counts as timed out.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the second attempt; it doubles with every attempt (with jitter) up to <see cref="MaxBackoff"/>.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The longest wait between two attempts (a <c>Retry-After</c> may ask for longer).</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long after the run's end a delivery is retried before it is marked failed.</summary>
    public TimeSpan RetryFor { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Deliveries attempted at once by this process; a slow receiver holds one slot, never the others.</summary>
    public int MaxConcurrency { get; set; } = 16;

    /// <summary>How often the sender looks for due deliveries when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the sender looks for ended runs whose deliveries were never recorded (the process died in between).</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after a run's end the sweep leaves it to the run-end listener.</summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The server's address as receivers reach it, for the signed download links in events (e.g.
    /// <c>https://enrichflow.example.com</c>); the first address the server listens on when empty.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public IEnumerable<string> Validate()
    {
        if (Timeout < TimeSpan.FromMilliseconds(100) || Timeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{Section}:Timeout must be between 100 ms and 10 minutes (was {Timeout}).";
        }

        if (InitialBackoff <= TimeSpan.Zero)
        {
            yield return $"{Section}:InitialBackoff must be positive (was {InitialBackoff}).";
        }

        if (MaxBackoff < InitialBackoff)
        {
            yield return $"{Section}:MaxBackoff must be at least InitialBackoff (was {MaxBackoff}, InitialBackoff {InitialBackoff}).";
        }

        if (RetryFor < TimeSpan.Zero || RetryFor > TimeSpan.FromDays(30))
        {
            yield return $"{Section}:RetryFor must be between 0 and 30 days (was {RetryFor}).";
        }

        if (MaxConcurrency is < 1 or > 1024)
        {
            yield return $"{Section}:MaxConcurrency must be between 1 and 1024 (was {MaxConcurrency}).";
        }

        if (PollInterval < TimeSpan.FromMilliseconds(10))
        {
            yield return $"{Section}:PollInterval must be at least 10 ms (was {PollInterval}).";
        }

        if (SweepInterval < TimeSpan.FromSeconds(1))
        {
            yield return $"{Section}:SweepInterval must be at least 1 second (was {SweepInterval}).";
        }

        if (SweepGrace < TimeSpan.Zero)
        {
            yield return $"{Section}:SweepGrace must not be negative (was {SweepGrace}).";
        }

        if (!string.IsNullOrEmpty(PublicBaseUrl)
            && (!Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            yield return $"{Section}:PublicBaseUrl must be an absolute http or https URL (was '{PublicBaseUrl}').";
        }
    }
}
