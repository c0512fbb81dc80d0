using System.Text.Json;
using System.Text.Json.Nodes;
using nietras.SeparatedValues;

namespace Enrichflow.Providers.Kinds;

/// <summary>
/// A local reference table for the <c>lookup</c> provider: a CSV file (header row, any delimiter Sep detects) or
/// NDJSON/JSONL (one object per line), loaded whole and keyed by the normalized <c>KeyField</c>. The first row of a
/// key wins. CSV cells are text; NDJSON values keep their JSON types.
/// </summary>
public sealed class LookupTable
{
    /// <summary>The key fields a table may use.</summary>
    public static readonly IReadOnlyList<string> KeyFields = [InputKeys.Domain, InputKeys.Email, InputKeys.Name, InputKeys.CompanyName, InputKeys.Linkedin];

    private readonly Dictionary<string, IReadOnlyDictionary<string, JsonNode?>> _rows;

    private LookupTable(string path, string keyField, IReadOnlyList<string> columns, Dictionary<string, IReadOnlyDictionary<string, JsonNode?>> rows)
    {
        Path = path;
        KeyField = keyField;
        Columns = columns;
        _rows = rows;
    }

    public string Path { get; }

    public string KeyField { get; }

    /// <summary>The columns (CSV header, or every property seen in NDJSON).</summary>
    public IReadOnlyList<string> Columns { get; }

    public int Count => _rows.Count;

    public static bool IsJsonLines(string path) =>
        System.IO.Path.GetExtension(path).ToLowerInvariant() is ".ndjson" or ".jsonl";

    public static bool IsSupported(string path) =>
        IsJsonLines(path) || System.IO.Path.GetExtension(path).ToLowerInvariant() is ".csv" or ".tsv" or ".txt";

    /// <summary>Where a configured path is: absolute as is; relative against the data directory, then the application directory. Null when in neither.</summary>
    public static string? Locate(string path, string dataDirectory, out IReadOnlyList<string> tried)
    {
        ArgumentNullException.ThrowIfNull(path);
        var candidates = System.IO.Path.IsPathRooted(path)
            ? [path]
            : new[] { System.IO.Path.Combine(dataDirectory, path), System.IO.Path.Combine(AppContext.BaseDirectory, path) }.Select(System.IO.Path.GetFullPath).Distinct().ToList();
        tried = candidates;
        return candidates.FirstOrDefault(File.Exists);
    }

    /// <summary>The normal form of a key value (domain without scheme or www., lower-case email, single-spaced lower-case name).</summary>
    public static string? Normalize(string keyField, string? value) => keyField switch
    {
        InputKeys.Domain => InputKeys.NormalizeDomain(value),
        InputKeys.Email => InputKeys.NormalizeEmail(value),
        InputKeys.Linkedin => InputKeys.NormalizeLinkedin(value),
        _ => InputKeys.NormalizeName(value),
    };

    /// <summary>Loads the file; throws <see cref="InvalidDataException"/> naming the file and line when it cannot be read.</summary>
    public static LookupTable Load(string path, string keyField)
    {
        ArgumentNullException.ThrowIfNull(path);
        var rows = new Dictionary<string, IReadOnlyDictionary<string, JsonNode?>>(StringComparer.Ordinal);
        var columns = IsJsonLines(path) ? LoadJsonLines(path, keyField, rows) : LoadCsv(path, keyField, rows);
        if (!columns.Contains(keyField, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"'{path}' has no '{keyField}' column (its columns are {string.Join(", ", columns)}).");
        }

        return new LookupTable(path, keyField, columns, rows);
    }

    /// <summary>The row of a key (normalized here), or null.</summary>
    public IReadOnlyDictionary<string, JsonNode?>? Find(string? key) =>
        Normalize(KeyField, key) is { } normal && _rows.TryGetValue(normal, out var row) ? row : null;

    private static List<string> LoadCsv(string path, string keyField, Dictionary<string, IReadOnlyDictionary<string, JsonNode?>> rows)
    {
        using var reader = Sep.Reader(o => o with { Unescape = true, Trim = SepTrim.Outer }).FromFile(path);
        var columns = reader.Header.ColNames.ToList();
        var keyIndex = columns.FindIndex(c => string.Equals(c, keyField, StringComparison.OrdinalIgnoreCase));
        foreach (var row in reader)
        {
            if (keyIndex < 0 || Normalize(keyField, row[keyIndex].ToString()) is not { } key || rows.ContainsKey(key))
            {
                continue;
            }

            var values = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
            for (var i = 0; i < columns.Count && i < row.ColCount; i++)
            {
                values[columns[i]] = JsonValue.Create(row[i].ToString());
            }

            rows[key] = values;
        }

        return columns;
    }

    private static List<string> LoadJsonLines(string path, string keyField, Dictionary<string, IReadOnlyDictionary<string, JsonNode?>> rows)
    {
        var columns = new List<string>();
        var line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            JsonObject item;
            try
            {
                item = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"'{path}' line {line} is not a JSON object.");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}' line {line} is not valid JSON: {e.Message}", e);
            }

            var values = new Dictionary<string, JsonNode?>(StringComparer.OrdinalIgnoreCase);
            foreach (var (name, value) in item)
            {
                values[name] = value?.DeepClone();
                if (!columns.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    columns.Add(name);
                }
            }

            var keyValue = values.GetValueOrDefault(keyField);
            if (Normalize(keyField, keyValue?.GetValueKind() == JsonValueKind.String ? keyValue.GetValue<string>() : keyValue?.ToJsonString()) is { } key)
            {
                rows.TryAdd(key, values);
            }
        }

        return columns;
    }
}
