using System.Text.Json;
using System.Text.Json.Serialization;
using Enrichflow.Core.Storage;

namespace Enrichflow.Engine;

/// <summary>What a run was asked for, stored with it as JSON (the run's <c>OptionsJson</c>).</summary>
public sealed record RunOptions
{
    /// <summary>Result formats; csv is always among them.</summary>
    public IReadOnlyList<ResultFormat> Formats { get; init; } = [ResultFormat.Csv];

    /// <summary>The blob holding the run's input (a stored request body or an upload).</summary>
    public required string InputBlobKey { get; init; }

    /// <summary>The uploaded file's name, for <c>read_csv</c>; null for a webhook payload.</summary>
    public string? InputFileName { get; init; }

    /// <summary>Keys that replace the first block's specs for this run.</summary>
    public JsonElement? SpecsOverride { get; init; }

    public CacheConfig CacheConfig { get; init; } = new();

    /// <summary>The run's credit budget: it pauses rather than pass it (null: no budget).</summary>
    public double? MaxCredits { get; init; }

    public int ChunkSize { get; init; } = 1000;

    /// <summary>Rows expected in the input (exact for a payload, estimated for an upload); drives progress.</summary>
    public long? EstimatedRows { get; init; }

    /// <summary>Set for an interactive session's run (docs/api.md §12): its definition grows while it runs.</summary>
    public InteractiveSession? Interactive { get; init; }

    /// <summary>True while the run is an interactive session that still takes blocks: it does not finalize.</summary>
    [JsonIgnore]
    public bool HoldsOpen => Interactive is { Open: true };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static RunOptions FromJson(string json) =>
        JsonSerializer.Deserialize<RunOptions>(json, Json) ?? throw new InvalidOperationException("Run options are empty.");
}

/// <summary>An interactive session's state: <see cref="Open"/> until it is finished (by a call, or for being idle).</summary>
public sealed record InteractiveSession(bool Open = true);

/// <summary>The provider cache settings a run uses (docs/api.md §3 <c>cache_config</c>).</summary>
public sealed record CacheConfig(bool Enabled = true, int TtlDays = 30);
