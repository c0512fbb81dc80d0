using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Sqlite;

/// <summary>Small helpers over ADO.NET: parameters as (name, value) pairs and the store's value encodings.</summary>
internal static class SqliteCommands
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public static int Execute(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Rent(connection, sql, parameters);
        return command.Command.ExecuteNonQuery();
    }

    /// <summary>Runs a script of several statements once, without keeping it prepared.</summary>
    public static void ExecuteScript(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand(sql);
        command.ExecuteNonQuery();
    }

    public static T? Scalar<T>(this SqliteConnection connection, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Rent(connection, sql, parameters);
        var value = command.Command.ExecuteScalar();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), CultureInfo.InvariantCulture);
    }

    public static List<T> Query<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var command = Rent(connection, sql, parameters);
        using var reader = command.Command.ExecuteReader();
        var results = new List<T>();
        while (reader.Read())
        {
            results.Add(map(reader));
        }

        return results;
    }

    public static T? QueryFirst<T>(this SqliteConnection connection, string sql, Func<SqliteDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> parameters)
        where T : class
    {
        using var command = Rent(connection, sql, parameters);
        using var reader = command.Command.ExecuteReader();
        return reader.Read() ? map(reader) : null;
    }

    public static string ToDb(this DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    public static string ToDb(this Guid value) => value.ToString("D");

    public static DateTimeOffset GetTime(this SqliteDataReader reader, int ordinal) => ParseTime(reader.GetString(ordinal));

    /// <summary>A time as the store writes it (<see cref="ToDb(DateTimeOffset)"/>).</summary>
    public static DateTimeOffset ParseTime(string value) =>
        DateTimeOffset.ParseExact(value, TimeFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    public static DateTimeOffset? GetTimeOrNull(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetTime(ordinal);

    public static string? GetStringOrNull(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static int? GetInt32OrNull(this SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);

    private static SqliteCommand CreateCommand(this SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    private static RentedCommand Rent(SqliteConnection connection, string sql, ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var cache = StatementCache.Of(connection);
        var command = cache?.Get(connection, sql) ?? connection.CreateCommand(sql);
        command.Parameters.Clear();
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, ToDbValue(value));
        }

        return new RentedCommand(command, Owned: cache is null);
    }

    private readonly record struct RentedCommand(SqliteCommand Command, bool Owned) : IDisposable
    {
        public void Dispose()
        {
            if (Owned)
            {
                Command.Dispose();
            }
        }
    }

    private static object ToDbValue(object? value) => value switch
    {
        null => DBNull.Value,
        DateTimeOffset time => time.ToDb(),
        Guid guid => guid.ToDb(),
        bool flag => flag ? 1L : 0L,
        Enum => throw new ArgumentException("Enums are stored by an explicit name or number.", nameof(value)),
        _ => value,
    };
}
