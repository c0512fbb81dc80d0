using System.Buffers;
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
    /// <summary>The size of a key hash in bytes.</summary>
    public const int HashSize = 16;

    private const char Separator = '\u001f';

    /// <summary>
    /// The key hash, and its text in <paramref name="text"/>; null when a key column is missing from the row
    /// (then <paramref name="text"/> names that column).
    /// </summary>
    public byte[]? KeyOf(Row row, out string? text)
    {
        var key = TextOf(row, out var missing);
        if (key is null)
        {
            text = missing;
            return null;
        }

        text = key;
        var hash = new byte[HashSize];
        Hash(key, hash);
        return hash;
    }

    /// <summary>The key's text (what <see cref="KeyOf"/> hashes); null when a key column is missing, named in <paramref name="missing"/>.</summary>
    public string? TextOf(Row row, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(row);
        missing = null;
        if (keyFields is { Count: 1 })
        {
            // The common case without a builder: one column, no separator and no column name.
            if (!row.TryGetValue(keyFields[0], out var only))
            {
                missing = keyFields[0];
                return null;
            }

            var value = RowValues.ToText(only) ?? "";
            return normalize ? value.Trim().ToLowerInvariant() : value;
        }

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
                    missing = column;
                    return null;
                }

                Append(builder, keyFields.Count > 1 ? column : null, value);
            }
        }

        return builder.ToString();
    }

    /// <summary>The first key column the row lacks; null when it has them all (always, without key fields).</summary>
    public string? MissingColumn(Row row)
    {
        ArgumentNullException.ThrowIfNull(row);
        foreach (var column in keyFields ?? [])
        {
            if (!row.ContainsKey(column))
            {
                return column;
            }
        }

        return null;
    }

    /// <summary>The key of one value compared trimmed and case-insensitively (a join or company key); null when blank.</summary>
    public static byte[]? OfValue(string? value)
    {
        if (TextOfValue(value) is not { } text)
        {
            return null;
        }

        var hash = new byte[HashSize];
        Hash(text, hash);
        return hash;
    }

    /// <summary>The text <see cref="OfValue"/> hashes: trimmed and lower-cased; null when blank.</summary>
    public static string? TextOfValue(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim().ToLowerInvariant();

    /// <summary>Writes the key hash of <paramref name="text"/> (the first 16 bytes of its UTF-8 SHA-256) to <paramref name="destination"/>.</summary>
    public static void Hash(string text, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var bytes = length <= 512 ? stackalloc byte[512] : (rented = ArrayPool<byte>.Shared.Rent(length));
        var written = Encoding.UTF8.GetBytes(text, bytes);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes[..written], digest);
        digest[..HashSize].CopyTo(destination);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

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
