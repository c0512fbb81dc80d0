using System.Security.Cryptography;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.Tests.Compliance;
using Microsoft.Data.Sqlite;

namespace Enrichflow.Storage.Tests.Sqlite;

public sealed class SqliteSigningSecretStoreTests(SqliteStoreFixture sqlite) : SigningSecretStoreCompliance
{
    private string _databasePath = "";

    protected override async ValueTask<ISigningSecretStore> CreateStoreAsync(CancellationToken cancellationToken)
    {
        var store = await sqlite.CreateAsync(cancellationToken);
        _databasePath = store.DatabasePath;
        return store.UseSigningSecretKey(RandomNumberGenerator.GetBytes(32));
    }

    /// <summary>Every column of every row of <c>signing_secrets</c>, then the database file and its WAL as they are on disk.</summary>
    protected override ValueTask<byte[]> ReadRawStorageAsync(CancellationToken cancellationToken)
    {
        using var raw = new MemoryStream();
        using (var connection = new SqliteConnection($"Data Source={_databasePath};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM signing_secrets";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    var value = reader.GetValue(i);
                    raw.Write(value switch
                    {
                        byte[] bytes => bytes,
                        DBNull => [],
                        _ => System.Text.Encoding.UTF8.GetBytes(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!),
                    });
                }
            }
        }

        foreach (var path in new[] { _databasePath, _databasePath + "-wal" })
        {
            if (File.Exists(path))
            {
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                stream.CopyTo(raw);
            }
        }

        return ValueTask.FromResult(raw.ToArray());
    }
}
