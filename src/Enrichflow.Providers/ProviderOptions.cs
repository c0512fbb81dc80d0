using Enrichflow.Providers.Kinds;

namespace Enrichflow.Providers;

/// <summary>
/// One provider's options as configured, read from <c>Providers:NAME</c> (docs/api.md §8). Settings left out are null and
/// take the defaults of the kind (its <see cref="ProviderKindDescriptor"/>, filled in by
/// <see cref="ResolvedProviderOptions"/>); <see cref="ProvidersOptionsValidator"/> lists every problem.
/// </summary>
public sealed class ProviderOptions
{
    /// <summary>The kind's name as configured (sixtyfour, openai_compatible, http, website or lookup; see <see cref="ProviderKinds.Find"/>).</summary>
    public string? Kind { get; set; }

    /// <summary>Where the API lives (sixtyfour, openai_compatible, http); relative paths are resolved against it.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>The key, usually <c>${VARIABLE}</c> expanded from the environment; never logged.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Requests per minute over all runs; 0 means unlimited. Default: sixtyfour 500, lookup 0, others 60.</summary>
    public int? RequestsPerMinute { get; set; }

    /// <summary>Calls in flight at once over all runs; 0 means unlimited. Default: sixtyfour 2500, lookup 0, others 20.</summary>
    public int? MaxConcurrency { get; set; }

    /// <summary>
    /// How long one attempt may take (and reading its answer). For Sixtyfour's async jobs it also bounds the whole
    /// wait for the job. Default: sixtyfour 900, others 60.
    /// </summary>
    public double? TimeoutSeconds { get; set; }

    /// <summary>Credits one billable call costs. Default 1; website and lookup 0.</summary>
    public decimal? CreditsPerCall { get; set; }

    /// <summary>Attempts per call, the first included (retries on 408, 429, 5xx, network errors and timeouts). Default 4.</summary>
    public int? MaxAttempts { get; set; }

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter, unless <c>Retry-After</c> says otherwise. Default 1000.</summary>
    public int? RetryDelayMs { get; set; }

    /// <summary>The operations the provider serves (enrich_company, enrich_person, find_email, find_phone); empty means the kind's default.</summary>
    public List<string> Operations { get; set; } = [];

    /// <summary>sixtyfour: enrich-company and enrich-lead go through the <c>-async</c> endpoints and job polling. Default true.</summary>
    public bool? UseAsyncJobs { get; set; }

    /// <summary>sixtyfour: seconds between two <c>GET /job-status/{task_id}</c>. Default 5.</summary>
    public double? PollIntervalSeconds { get; set; }

    /// <summary>openai_compatible: the model name (required).</summary>
    public string? Model { get; set; }

    /// <summary>openai_compatible: sampling temperature (0 to 2); left out of the request when not set.</summary>
    public double? Temperature { get; set; }

    /// <summary>
    /// openai_compatible: the chat completions path relative to <see cref="BaseUrl"/> (default <c>chat/completions</c>);
    /// http: the request path template (required); lookup: the CSV or NDJSON file (required).
    /// </summary>
    public string? Path { get; set; }

    /// <summary>http: GET or POST. Default GET.</summary>
    public string? Method { get; set; }

    /// <summary>http: request headers, name to template.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>http: the JSON body template (POST).</summary>
    public string? Body { get; set; }

    /// <summary>http: return field name to JSON path (<c>$.data.employees</c>, <c>data.items[0].name</c>).</summary>
    public Dictionary<string, string> Fields { get; set; } = new(StringComparer.Ordinal);

    /// <summary>http: statuses that mean "not found". Default [404].</summary>
    public List<int> NotFoundStatuses { get; set; } = [];

    /// <summary>website: the most bytes read from one page. Default 2 MiB.</summary>
    public long? MaxBytes { get; set; }

    /// <summary>website: the pages fetched, relative to the site. Default ["/"].</summary>
    public List<string> Paths { get; set; } = [];

    /// <summary>lookup: the column (or property) the table is keyed by: domain, email, name, company_name or linkedin.</summary>
    public string? KeyField { get; set; }
}
