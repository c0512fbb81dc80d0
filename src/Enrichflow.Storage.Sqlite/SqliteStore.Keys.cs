using System.Text;
using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <remarks>One statement per call: the entries travel as a JSON array and are upserted from <c>json_each</c>.</remarks>
    public Task RecordAsync(string scope, IReadOnlyList<KeyEntry> entries, KeyKeep keep, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        var json = new StringBuilder(entries.Count * 48).Append('[');
        for (var i = 0; i < entries.Count; i++)
        {
            json.Append(i == 0 ? "[\"" : ",[\"").Append(Convert.ToHexString(entries[i].Key)).Append("\",").Append(entries[i].RowIndex).Append(']');
        }

        json.Append(']');
        var onConflict = keep switch
        {
            KeyKeep.First => "DO UPDATE SET row_index = min(row_index, excluded.row_index)",
            KeyKeep.Last => "DO UPDATE SET row_index = max(row_index, excluded.row_index)",
            _ => "DO NOTHING",
        };
        return WriteAsync(connection => connection.Execute(
            $"""
            INSERT INTO key_index (scope, key_hash, row_index)
            SELECT $scope, json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each($entries) WHERE true
            ON CONFLICT (scope, key_hash) {onConflict}
            """,
            ("$scope", scope), ("$entries", json.ToString())), cancellationToken);
    }

    public Task<long[]> LookupAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        var hex = keys.Select(Convert.ToHexString).ToArray();
        var json = "[\"" + string.Join("\",\"", hex) + "\"]";
        var found = Read(connection => connection.Query(
            """
            SELECT key_hash, row_index FROM key_index
            WHERE scope = $scope AND key_hash IN (SELECT value FROM json_each($keys))
            """,
            reader => (Key: reader.GetString(0), Row: reader.GetInt64(1)),
            ("$scope", scope), ("$keys", keys.Count == 0 ? "[]" : json)), cancellationToken)
            .ToDictionary(r => r.Key, r => r.Row, StringComparer.Ordinal);
        return Task.FromResult(hex.Select(h => found.TryGetValue(h, out var row) ? row : -1).ToArray());
    }

    public Task DeleteScopesAsync(string scopePrefix, CancellationToken cancellationToken) =>
        WriteAsync(connection => connection.Execute(
            "DELETE FROM key_index WHERE scope >= $prefix AND scope < $end",
            ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff")), cancellationToken);
}
