using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Enrichflow.Hosting;

/// <summary>Writes times as ISO-8601 UTC with <c>Z</c> (docs/api.md §1), e.g. <c>2026-02-12T10:30:00.123Z</c>.</summary>
public sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
}
