namespace Enrichflow.Fakes;

/// <summary>How a <see cref="FakeProviderServer"/> starts; every knob can also be changed while it runs.</summary>
public sealed class FakeProviderOptions
{
    /// <summary>Seeds the found/not-found decision, the generated values and the latency draws.</summary>
    public int Seed { get; set; } = 64;

    /// <summary>The share of keys (0 to 100) that are found: <c>hash(seed, key) % 100 &lt; HitPercent</c>.</summary>
    public int HitPercent { get; set; } = 100;

    /// <summary>The key every API checks (<c>x-api-key</c>, <c>Authorization: Bearer</c>, <c>X-Api-Key</c>); null accepts any.</summary>
    public string? ApiKey { get; set; } = "fake-key";

    public TimeSpan LatencyMin { get; set; }

    public TimeSpan LatencyMax { get; set; }

    /// <summary>Paid requests accepted in any sliding 60 s window; more get 429 with <c>Retry-After</c>. 0: unlimited.</summary>
    public int RequestsPerMinute { get; set; }

    /// <summary>How many polls of an async job answer "processing" before it is completed.</summary>
    public int PollsUntilDone { get; set; } = 1;

    /// <summary>Keep every request (headers and body) for <see cref="FakeProviderServer.Requests"/>; turn off for long bench runs.</summary>
    public bool RecordRequests { get; set; } = true;
}
