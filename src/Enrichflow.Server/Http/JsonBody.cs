using System.Text.Json;
using Enrichflow.Core.Definitions;

namespace Enrichflow.Server.Http;

/// <summary>Reads a small JSON request body, turning bad JSON and oversize bodies into API errors.</summary>
public static class JsonBody
{
    /// <summary>Reads the body; returns null and sets <paramref name="error"/> when it cannot be used.</summary>
    public static async Task<(JsonDocument? Document, JsonBodyError? Error)> ReadAsync(HttpRequest request, long limit, bool allowEmpty, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            if (memory.Length + read > limit)
            {
                return (null, ApiErrors.TooLarge($"The request body is larger than the limit of {limit} bytes."));
            }

            memory.Write(buffer, 0, read);
        }

        if (memory.Length == 0 || IsBlank(memory))
        {
            return allowEmpty
                ? (null, null)
                : (null, ApiErrors.Unprocessable(["body"], "Field required", "missing"));
        }

        try
        {
            return (JsonDocument.Parse(memory.GetBuffer().AsMemory(0, (int)memory.Length)), null);
        }
        catch (JsonException e)
        {
            return (null, MalformedJson(e));
        }
    }

    /// <summary>Reads a body that must be a JSON object (422 when it is missing, malformed or another kind of value).</summary>
    public static async Task<(JsonDocument? Document, JsonBodyError? Error)> ReadObjectAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        var (document, error) = await ReadAsync(request, limit, allowEmpty: false, cancellationToken);
        if (error is null && document!.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            return (null, ApiErrors.Unprocessable(["body"], "Input should be a valid dictionary", "dict_type"));
        }

        return (document, error);
    }

    public static UnprocessableEntity<ValidationBody> MalformedJson(JsonException e) =>
        ApiErrors.Unprocessable(["body", e.BytePositionInLine ?? 0], $"JSON decode error at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1}: {FirstSentence(e.Message)}", "json_invalid");

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static bool IsBlank(MemoryStream memory) =>
        memory.GetBuffer().AsSpan(0, (int)memory.Length).Trim(" \t\r\n"u8).IsEmpty;

    /// <summary>Reads an optional string property, reporting a wrong type at <c>["body", name]</c>.</summary>
    public static string? OptionalString(JsonElement body, string name, List<DefinitionError> errors)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(new DefinitionError(["body", name], "Input should be a valid string", "string_type"));
            return null;
        }

        return value.GetString();
    }
}
