using System.Security.Cryptography;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.Tests.Compliance;
using Npgsql;

namespace Enrichflow.Storage.Tests.Postgres;

public sealed class PostgresSigningSecretStoreTests(PostgresStoreFixture postgres) : SigningSecretStoreCompliance
{
    private string _connectionString = "";

    protected override async ValueTask<ISigningSecretStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        _connectionString = await postgres.NewSchemaAsync(cancellationToken);
        var store = new Enrichflow.Storage.Postgres.PostgresStore(_connectionString);
        await store.MigrateAsync(cancellationToken);
        return store.UseSigningSecretKey(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>
    /// Every column of every row of <c>signing_secrets</c> as PostgreSQL returns it (the row as text, and the secret's
    /// bytes). The server's files are not readable by the test's role; the row is all the store writes.
    /// </summary>
    protected override async ValueTask<byte[]> ReadRawStorageAsync(CancellationToken cancellationToken)
    {
        using var raw = new MemoryStream();
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT s::text, s.secret FROM signing_secrets s", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            raw.Write(System.Text.Encoding.UTF8.GetBytes(reader.GetString(0)));
            raw.Write((byte[])reader.GetValue(1));
        }

        return raw.ToArray();
    }
}
