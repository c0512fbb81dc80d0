using System.Text.Json;
using Enrichflow.Core.Storage;
using nietras.SeparatedValues;

namespace Enrichflow.Hosting.Results;

/// <summary>
/// Reads the first rows of a result file back, for the inline <c>results</c> of a download link (docs/api.md §3.1)
/// and the <c>rows</c> of a webhook body (§6).
/// </summary>
public static class ResultFileRows
{
    /// <summary>The UTF-8 size of <paramref name="rows"/> as a JSON array (the bound on inline <c>results</c>, docs/api.md §3.1).</summary>
    public static long JsonBytes(IReadOnlyList<JsonElement> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        long total = 2 + Math.Max(0, rows.Count - 1);
        foreach (var row in rows)
        {
            total += System.Text.Encoding.UTF8.GetByteCount(row.GetRawText());
        }

        return total;
    }

    /// <summary>
    /// Up to <paramref name="limit"/> rows of <paramref name="file"/>: a CSV row as an object of strings by column
    /// name, a JSON or NDJSON row as it was written (value types kept).
    /// </summary>
    public static async Task<IReadOnlyList<JsonElement>> ReadAsync(IBlobStore blobs, ResultFileRecord file, int limit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(file);
        await using var stream = await blobs.OpenReadAsync(file.BlobKey, cancellationToken);
        var rows = new List<JsonElement>(Math.Min(limit, 100));
        switch (file.Format)
        {
            case ResultFormat.Csv:
                using (var reader = Sep.Reader(o => o with { Unescape = true, DisableColCountCheck = true }).From(stream))
                {
                    var names = reader.Header.ColNames;
                    foreach (var row in reader)
                    {
                        if (rows.Count >= limit)
                        {
                            break;
                        }

                        var item = new Dictionary<string, string>(names.Count, StringComparer.Ordinal);
                        for (var i = 0; i < names.Count && i < row.ColCount; i++)
                        {
                            item[names[i]] = row[i].ToString();
                        }

                        rows.Add(JsonSerializer.SerializeToElement(item));
                    }
                }

                break;
            case ResultFormat.Json:
                using (var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken))
                {
                    rows.AddRange(document.RootElement.EnumerateArray().Take(limit).Select(e => e.Clone()));
                }

                break;
            default:
                using (var reader = new StreamReader(stream))
                {
                    while (rows.Count < limit && await reader.ReadLineAsync(cancellationToken) is { } line)
                    {
                        if (line.Length > 0)
                        {
                            using var document = JsonDocument.Parse(line);
                            rows.Add(document.RootElement.Clone());
                        }
                    }
                }

                break;
        }

        return rows;
    }
}
