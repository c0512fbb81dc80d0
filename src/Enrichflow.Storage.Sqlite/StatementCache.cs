using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

/// <summary>
/// Prepared commands of the long-lived write connection, by SQL text, so that the hot path (claim, commit) does not
/// parse its statements again on every call. Microsoft.Data.Sqlite keeps no statement cache of its own.
/// </summary>
internal sealed class StatementCache : IDisposable
{
    private static readonly ConditionalWeakTable<SqliteConnection, StatementCache> Caches = [];

    private readonly Dictionary<string, SqliteCommand> _commands = new(StringComparer.Ordinal);

    /// <summary>The write transaction in progress; cached commands join it.</summary>
    public SqliteTransaction? Transaction { get; set; }

    public static StatementCache? Of(SqliteConnection connection) =>
        Caches.TryGetValue(connection, out var cache) ? cache : null;

    public static StatementCache Attach(SqliteConnection connection)
    {
        var cache = new StatementCache();
        Caches.AddOrUpdate(connection, cache);
        return cache;
    }

    public SqliteCommand Get(SqliteConnection connection, string sql)
    {
        if (!_commands.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            _commands[sql] = command;
        }

        command.Transaction = Transaction;
        return command;
    }

    public void Dispose()
    {
        foreach (var command in _commands.Values)
        {
            command.Dispose();
        }

        _commands.Clear();
    }
}
