using System.Text.Json;
using System.Text.Json.Serialization;

namespace Enrichflow.Core.Storage;

/// <summary>The format of a result file (docs/api.md §3.1); stored, serialized and sent as its wire name (csv, json, ndjson).</summary>
[JsonConverter(typeof(ResultFormatJsonConverter))]
public enum ResultFormat { Csv, Json, Ndjson }

/// <summary>The one place that maps result formats to their wire names and media types, and back.</summary>
public static class ResultFormats
{
    public static IReadOnlyList<ResultFormat> All { get; } = [ResultFormat.Csv, ResultFormat.Json, ResultFormat.Ndjson];

    /// <summary>The wire name, which is also the file extension: csv, json or ndjson.</summary>
    public static string ToWire(this ResultFormat format) => format switch
    {
        ResultFormat.Csv => "csv",
        ResultFormat.Json => "json",
        ResultFormat.Ndjson => "ndjson",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown result format."),
    };

    /// <summary>The format a wire name (any case) names; null for anything else.</summary>
    public static ResultFormat? Parse(string? value) => value?.ToLowerInvariant() switch
    {
        "csv" => ResultFormat.Csv,
        "json" => ResultFormat.Json,
        "ndjson" => ResultFormat.Ndjson,
        _ => null,
    };

    /// <summary>The media type of a file in this format.</summary>
    public static string ContentType(this ResultFormat format) => format switch
    {
        ResultFormat.Csv => "text/csv; charset=utf-8",
        ResultFormat.Json => "application/json",
        _ => "application/x-ndjson",
    };
}

/// <summary>Reads and writes a <see cref="ResultFormat"/> as its wire name (the run's stored options hold them so).</summary>
public sealed class ResultFormatJsonConverter : JsonConverter<ResultFormat>
{
    public override ResultFormat Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && ResultFormats.Parse(reader.GetString()) is { } format
            ? format
            : throw new JsonException("A result format is one of csv, json, ndjson.");

    public override void Write(Utf8JsonWriter writer, ResultFormat value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToWire());
    }
}
