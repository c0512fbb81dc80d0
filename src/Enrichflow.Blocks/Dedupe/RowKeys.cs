using System.Security.Cryptography;
using System.Text;
using Enrichflow.Core.Rows;

namespace Enrichflow.Blocks.Dedupe;

/// <summary>
/// A row's key for deduplication and notebooks: the values of the key columns (every column, sorted by name,
/// when none are named), trimmed and lower-cased when normalizing, hashed to 16 bytes.
/// </summary>
public sealed class RowKeys(IReadOnlyList<string>? keyFields, bool normalize)
{
    private const char Separator = '\u001f';

    /// <summary>
    /// The key hash, and its text in <paramref name="text"/>; null when a key column is missing from the row
    /// (then <paramref name="text"/> names that column).
    /// </summary>
    public byte[]? KeyOf(Row row, out string? text)
    {
        var builder = new StringBuilder();
        if (keyFields is null)
        {
            foreach (var column in row.Keys.Order(StringComparer.Ordinal))
            {
                Append(builder, column, row[column]);
            }
        }
        else
        {
            foreach (var column in keyFields)
            {
                if (!row.TryGetValue(column, out var value))
                {
                    text = column;
                    return null;
                }

                Append(builder, keyFields.Count > 1 ? column : null, value);
            }
        }

        text = builder.ToString();
        return Hash(text);
    }

    /// <summary>The key of one value compared trimmed and case-insensitively (a join or company key); null when blank.</summary>
    public static byte[]? OfValue(string? value)
    {
        var text = value?.Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(text) ? null : Hash(text);
    }

    private static byte[] Hash(string text) => SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16];

    private void Append(StringBuilder builder, string? column, object? value)
    {
        if (builder.Length > 0)
        {
            builder.Append(Separator);
        }

        if (column is not null)
        {
            builder.Append(column).Append('=');
        }

        var text = RowValues.ToText(value) ?? "";
        builder.Append(normalize ? text.Trim().ToLowerInvariant() : text);
    }
}
