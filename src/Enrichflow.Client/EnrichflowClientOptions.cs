namespace Enrichflow.Client;

/// <summary>Where the API is and the key to send (<c>x-api-key</c>).</summary>
public sealed class EnrichflowClientOptions
{
    /// <summary>The API's address, e.g. <c>http://127.0.0.1:8080</c> or <c>https://api.sixtyfour.ai</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>The API key sent as <c>x-api-key</c> with every request to <see cref="BaseAddress"/> (never to a signed download link).</summary>
    public required string ApiKey { get; init; }

    /// <summary>How often <see cref="EnrichflowClient.WaitForRunAsync"/> and <see cref="EnrichflowClient.RunAndWaitAsync"/> poll live status by default.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
}
