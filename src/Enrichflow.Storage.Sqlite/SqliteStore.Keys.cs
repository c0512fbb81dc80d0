using Enrichflow.Core.Storage;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

public sealed partial class SqliteStore
{
    /// <remarks>One write transaction per call; one prepared upsert per key (the write connection keeps it prepared).</remarks>
    public Task RecordAsync(string scope, IReadOnlyList<KeyEntry> entries, KeyKeep keep, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        var sql = keep switch
        {
            KeyKeep.First => "INSERT INTO key_entries VALUES ($scope, $key, $row) ON CONFLICT (scope_id, key) DO UPDATE SET row_index = min(row_index, excluded.row_index)",
            KeyKeep.Last => "INSERT INTO key_entries VALUES ($scope, $key, $row) ON CONFLICT (scope_id, key) DO UPDATE SET row_index = max(row_index, excluded.row_index)",
            _ => "INSERT INTO key_entries VALUES ($scope, $key, $row) ON CONFLICT (scope_id, key) DO NOTHING",
        };
        return WriteAsync(connection =>
        {
            var scopeId = ScopeId(connection, scope, create: true)!.Value;
            foreach (var entry in entries)
            {
                connection.Execute(sql, ("$scope", scopeId), ("$key", entry.Key), ("$row", entry.RowIndex));
            }
        }, cancellationToken);
    }

    /// <remarks>Runs on the write connection, whose statements stay prepared: a lookup is one prepared select per key.</remarks>
    public Task<long[]> LookupAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(Array.Empty<long>());
        }

        return WriteAsync(connection =>
        {
            var found = new long[keys.Count];
            if (ScopeId(connection, scope, create: false) is not long scopeId)
            {
                Array.Fill(found, -1);
                return found;
            }

            for (var i = 0; i < keys.Count; i++)
            {
                found[i] = connection.Scalar<long?>("SELECT row_index FROM key_entries WHERE scope_id = $scope AND key = $key", ("$scope", scopeId), ("$key", keys[i])) ?? -1;
            }

            return found;
        }, cancellationToken);
    }

    public Task AddAllAsync(string scope, IReadOnlyList<KeyEntry> entries, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        return WriteAsync(connection =>
        {
            var scopeId = ScopeId(connection, scope, create: true)!.Value;
            foreach (var entry in entries)
            {
                connection.Execute("INSERT INTO key_rows VALUES ($scope, $key, $location) ON CONFLICT DO NOTHING", ("$scope", scopeId), ("$key", entry.Key), ("$location", entry.RowIndex));
            }
        }, cancellationToken);
    }

    public Task<long[][]> LookupAllAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(Array.Empty<long[]>());
        }

        return WriteAsync(connection =>
        {
            var found = new long[keys.Count][];
            var scopeId = ScopeId(connection, scope, create: false);
            for (var i = 0; i < keys.Count; i++)
            {
                found[i] = scopeId is long id
                    ? [.. connection.Query("SELECT location FROM key_rows WHERE scope_id = $scope AND key = $key ORDER BY location", r => r.GetInt64(0), ("$scope", id), ("$key", keys[i]))]
                    : [];
            }

            return found;
        }, cancellationToken);
    }

    public Task DeleteScopesAsync(string scopePrefix, CancellationToken cancellationToken) =>
        WriteAsync(connection =>
        {
            connection.Execute(
                "DELETE FROM key_entries WHERE scope_id IN (SELECT id FROM key_scopes WHERE name >= $prefix AND name < $end)",
                ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff"));
            connection.Execute(
                "DELETE FROM key_rows WHERE scope_id IN (SELECT id FROM key_scopes WHERE name >= $prefix AND name < $end)",
                ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff"));
            connection.Execute("DELETE FROM key_scopes WHERE name >= $prefix AND name < $end", ("$prefix", scopePrefix), ("$end", scopePrefix + "\uffff"));
        }, cancellationToken);

    private static long? ScopeId(SqliteConnection connection, string scope, bool create)
    {
        if (create)
        {
            connection.Execute("INSERT INTO key_scopes (name) VALUES ($name) ON CONFLICT (name) DO NOTHING", ("$name", scope));
        }

        return connection.Scalar<long?>("SELECT id FROM key_scopes WHERE name = $name", ("$name", scope));
    }
}
