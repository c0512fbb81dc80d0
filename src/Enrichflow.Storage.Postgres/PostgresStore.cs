using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

/// <summary>
/// The scaled-out store (DESIGN.md §5): accounts, workflows, runs and work units in PostgreSQL, shared by any number
/// of API and worker processes. Holds metadata only; row data lives in the blob store.
/// </summary>
/// <remarks>
/// Every write is one READ COMMITTED transaction on a pooled connection; a transaction PostgreSQL aborted as a deadlock
/// victim or a serialization failure is run again (nothing of it was written). The guards are the SQLite store's, made
/// safe for concurrent writers by row locks: a claim locks its unit with <c>FOR UPDATE SKIP LOCKED</c> (workers pass
/// over each other's candidates instead of waiting), and a commit, renew or fail locks the leased unit and re-checks its
/// lease before it writes anything. Call <see cref="MigrateAsync"/> before anything else.
/// </remarks>
public sealed partial class PostgresStore : IAccountStore, IWorkflowStore, IRunStore, ISigningSecretStore, IKeyIndexStore, INotebookStore, IExportLedger, IAsyncDisposable, IDisposable
{
    private const int MaxWriteAttempts = 5;

    private readonly NpgsqlDataSource _dataSource;
    private bool _disposed;

    /// <summary>Connections one process keeps at most for the store, unless its connection string says otherwise.</summary>
    public const int DefaultMaxPoolSize = 12;

    /// <param name="connectionString">
    /// An Npgsql connection string; its <c>Search Path</c> (if any) names the schema the store uses, and without a
    /// <c>Maximum Pool Size</c> the pool holds at most <see cref="DefaultMaxPoolSize"/> connections (callers beyond
    /// wait for one).
    /// </param>
    public PostgresStore(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnection.WithDefaultPoolSize(connectionString, DefaultMaxPoolSize));
        DisplayName = $"{builder.Host}:{builder.Port}/{builder.Database}";
        _dataSource = NpgsqlDataSource.Create(builder);
    }

    /// <summary>Host, port and database, without credentials (for messages).</summary>
    public string DisplayName { get; }

    public Task<bool> PingAsync(CancellationToken cancellationToken) =>
        ReadAsync(async db => await db.ScalarAsync<int>("SELECT 1") == 1, cancellationToken);

    private async Task<T> ReadAsync<T>(Func<PgSession, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        return await work(new PgSession(connection, cancellationToken));
    }

    private async Task<T> WriteAsync<T>(Func<PgSession, Task<T>> work, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var attempt = 1; ; attempt++)
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            try
            {
                var result = await work(new PgSession(connection, cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (attempt < MaxWriteAttempts && e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(5 * attempt * Random.Shared.Next(1, 5)), cancellationToken);
            }
        }
    }

    private Task WriteAsync(Func<PgSession, Task> work, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            await work(db);
            return true;
        }, cancellationToken);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _dataSource.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await _dataSource.DisposeAsync();
    }
}
