using Enrichflow.Core.Storage;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    /// <remarks>
    /// One statement per call (the keys as one array): the call's own repeats of a key are folded first, keeping the
    /// lowest or highest index (or, for <see cref="KeyKeep.Existing"/>, the first one given), since one upsert may not
    /// touch a row twice.
    /// </remarks>
    public Task RecordAsync(string scope, IReadOnlyList<KeyEntry> entries, KeyKeep keep, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
        {
            return Task.CompletedTask;
        }

        var folded = new Dictionary<byte[], long>(entries.Count, ByteArrayComparer.Instance);
        foreach (var entry in entries)
        {
            if (!folded.TryGetValue(entry.Key, out var held))
            {
                folded.Add(entry.Key, entry.RowIndex);
            }
            else if (keep == KeyKeep.First ? entry.RowIndex < held : keep == KeyKeep.Last && entry.RowIndex > held)
            {
                folded[entry.Key] = entry.RowIndex;
            }
        }

        var conflict = keep switch
        {
            KeyKeep.First => "DO UPDATE SET row_index = least(key_entries.row_index, excluded.row_index)",
            KeyKeep.Last => "DO UPDATE SET row_index = greatest(key_entries.row_index, excluded.row_index)",
            _ => "DO NOTHING",
        };
        return WriteAsync(async db =>
        {
            var scopeId = await ScopeIdAsync(db, scope, create: true);
            await db.ExecuteAsync(
                $"""
                INSERT INTO key_entries (scope_id, key, row_index)
                SELECT @scope, t.key, t.row_index FROM unnest(@keys::bytea[], @rows::bigint[]) AS t(key, row_index)
                ON CONFLICT (scope_id, key) {conflict}
                """,
                ("scope", scopeId), ("keys", folded.Keys.ToArray()), ("rows", folded.Values.ToArray()));
        }, cancellationToken);
    }

    public Task<long[]> LookupAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(Array.Empty<long>());
        }

        return ReadAsync(async db =>
        {
            var found = new long[keys.Count];
            Array.Fill(found, -1);
            if (await ScopeIdAsync(db, scope, create: false) is not long scopeId)
            {
                return found;
            }

            foreach (var (index, row) in await db.QueryAsync(
                """
                SELECT t.i, e.row_index FROM unnest(@keys::bytea[]) WITH ORDINALITY AS t(key, i)
                JOIN key_entries e ON e.scope_id = @scope AND e.key = t.key
                """,
                reader => (Index: reader.GetInt64(0), Row: reader.GetInt64(1)),
                ("scope", scopeId), ("keys", keys.ToArray())))
            {
                found[index - 1] = row;
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

        return WriteAsync(async db =>
        {
            var scopeId = await ScopeIdAsync(db, scope, create: true);
            await db.ExecuteAsync(
                """
                INSERT INTO key_rows (scope_id, key, location)
                SELECT @scope, t.key, t.location FROM unnest(@keys::bytea[], @locations::bigint[]) AS t(key, location)
                ON CONFLICT DO NOTHING
                """,
                ("scope", scopeId), ("keys", entries.Select(e => e.Key).ToArray()), ("locations", entries.Select(e => e.RowIndex).ToArray()));
        }, cancellationToken);
    }

    public Task<long[][]> LookupAllAsync(string scope, IReadOnlyList<byte[]> keys, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return Task.FromResult(Array.Empty<long[]>());
        }

        return ReadAsync(async db =>
        {
            var found = new List<long>[keys.Count];
            if (await ScopeIdAsync(db, scope, create: false) is long scopeId)
            {
                foreach (var (index, location) in await db.QueryAsync(
                    """
                    SELECT t.i, r.location FROM unnest(@keys::bytea[]) WITH ORDINALITY AS t(key, i)
                    JOIN key_rows r ON r.scope_id = @scope AND r.key = t.key
                    ORDER BY t.i, r.location
                    """,
                    reader => (Index: reader.GetInt64(0), Location: reader.GetInt64(1)),
                    ("scope", scopeId), ("keys", keys.ToArray())))
                {
                    (found[index - 1] ??= []).Add(location);
                }
            }

            return found.Select(locations => locations is null ? [] : locations.ToArray()).ToArray();
        }, cancellationToken);
    }

    public Task DeleteScopesAsync(string scopePrefix, CancellationToken cancellationToken) =>
        WriteAsync(db => DeleteScopesAsync(db, scopePrefix), cancellationToken);

    private static async Task DeleteScopesAsync(PgSession db, string scopePrefix)
    {
        await db.ExecuteAsync(
            "DELETE FROM key_entries WHERE scope_id IN (SELECT id FROM key_scopes WHERE starts_with(name, @prefix))", ("prefix", scopePrefix));
        await db.ExecuteAsync(
            "DELETE FROM key_rows WHERE scope_id IN (SELECT id FROM key_scopes WHERE starts_with(name, @prefix))", ("prefix", scopePrefix));
        await db.ExecuteAsync("DELETE FROM key_scopes WHERE starts_with(name, @prefix)", ("prefix", scopePrefix));
    }

    private static async Task<long?> ScopeIdAsync(PgSession db, string scope, bool create)
    {
        if (create)
        {
            await db.ExecuteAsync("INSERT INTO key_scopes (name) VALUES (@name) ON CONFLICT (name) DO NOTHING", ("name", scope));
        }

        return await db.ScalarAsync<long?>("SELECT id FROM key_scopes WHERE name = @name", ("name", scope));
    }

    private sealed class ByteArrayComparer : IEqualityComparer<byte[]>
    {
        public static ByteArrayComparer Instance { get; } = new();

        public bool Equals(byte[]? x, byte[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj)
        {
            var hash = new HashCode();
            hash.AddBytes(obj);
            return hash.ToHashCode();
        }
    }
}
