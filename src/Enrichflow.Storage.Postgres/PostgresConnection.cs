using Npgsql;

namespace Enrichflow.Storage.Postgres;

/// <summary>The forms a PostgreSQL setting may take: an Npgsql connection string, or a <c>postgres://</c> URL.</summary>
public static class PostgresConnection
{
    /// <summary>
    /// <paramref name="connectionString"/> with <c>Maximum Pool Size</c> set to <paramref name="maxPoolSize"/> unless it
    /// sets one itself. Npgsql's default of 100 connections per process is PostgreSQL's whole default
    /// <c>max_connections</c>: a few processes of a cluster with busy pools would use every slot, and the next
    /// connection fails ("remaining connection slots are reserved") instead of waiting for a pooled one.
    /// </summary>
    public static string WithDefaultPoolSize(string connectionString, int maxPoolSize)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        foreach (string key in given.Keys)
        {
            if (key.Replace(" ", "", StringComparison.Ordinal) is var name
                && name.Equals("MaximumPoolSize", StringComparison.OrdinalIgnoreCase) || name.Equals("MaxPoolSize", StringComparison.OrdinalIgnoreCase))
            {
                return connectionString;
            }
        }

        return new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = maxPoolSize }.ConnectionString;
    }

    /// <summary>
    /// An Npgsql connection string for <paramref name="value"/>: a <c>postgres://user:password@host:port/database?k=v</c>
    /// (or <c>postgresql://</c>) URL, user and password percent-decoded, query pairs passed on as connection-string
    /// keywords (<c>sslmode=require</c>, <c>search_path=...</c>); anything else is taken as a connection string.
    /// </summary>
    /// <exception cref="FormatException">The URL or connection string is malformed; the message says what is wrong.</exception>
    public static string Parse(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                return new NpgsqlConnectionStringBuilder(value).ConnectionString;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"'{Redact(value)}' is neither a postgres:// URL nor a valid connection string: {e.Message}", e);
            }
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new FormatException($"'{Redact(value)}' is not a valid postgres:// URL (postgres://user:password@host:port/database).");
        }

        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host.Trim('[', ']') };
        if (uri.Port > 0)
        {
            builder.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            builder.Username = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[..colon]);
            if (colon >= 0)
            {
                builder.Password = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
        }

        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0)
        {
            builder.Database = database;
        }

        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var key = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]).Replace('_', ' ');
            var setting = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..]);
            try
            {
                builder[key] = setting;
            }
            catch (ArgumentException e)
            {
                throw new FormatException($"'{Redact(value)}': the URL's parameter '{key}' is not a connection-string keyword: {e.Message}", e);
            }
        }

        return builder.ConnectionString;
    }

    /// <summary><paramref name="value"/> without its password (for messages).</summary>
    public static string Redact(string value)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.UserInfo.Contains(':', StringComparison.Ordinal))
        {
            return value.Replace(uri.UserInfo, uri.UserInfo[..uri.UserInfo.IndexOf(':', StringComparison.Ordinal)] + ":***", StringComparison.Ordinal);
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(value);
            if (builder.Password is not null)
            {
                builder.Password = "***";
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unreadable setting)";
        }
    }
}
