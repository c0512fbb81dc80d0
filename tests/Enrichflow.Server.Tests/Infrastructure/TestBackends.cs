using Npgsql;

namespace Enrichflow.Server.Tests.Infrastructure;

/// <summary>
/// The throwaway servers ./test.sh starts for the scaled-out backends: PostgreSQL (scripts/postgres.sh,
/// ENRICHFLOW_TEST_POSTGRES) and an S3-protocol server (scripts/s3.sh, ENRICHFLOW_TEST_S3 and the credentials it takes).
/// A test that needs one fails, saying how to start it, when it is not there.
/// </summary>
public static class TestBackends
{
    public static string PostgresConnectionString() =>
        Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_POSTGRES") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException(
                "ENRICHFLOW_TEST_POSTGRES is not set: run the tests through ./test.sh, which starts a throwaway PostgreSQL, or start one with scripts/postgres.sh and export what it prints.");

    public static string S3Address => Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3") is { Length: > 0 } address
        ? address.TrimEnd('/')
        : throw new InvalidOperationException(
            "ENRICHFLOW_TEST_S3 is not set: these tests need a real S3-protocol server on 127.0.0.1. Run ./test.sh, "
            + "or scripts/s3.sh start && eval \"$(scripts/s3.sh env)\" before running the tests.");

    /// <summary>The environment of a server process whose blobs are <paramref name="blobs"/> on the test S3 server.</summary>
    public static Dictionary<string, string> S3Environment(string blobs) => new()
    {
        ["ENRICHFLOW_Blobs"] = blobs,
        ["ENRICHFLOW_Blobs__S3__ServiceUrl"] = S3Address,
        ["ENRICHFLOW_Blobs__S3__AccessKey"] = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_ACCESS_KEY") ?? "S3RVER",
        ["ENRICHFLOW_Blobs__S3__SecretKey"] = Environment.GetEnvironmentVariable("ENRICHFLOW_TEST_S3_SECRET_KEY") ?? "S3RVER",
    };

    /// <summary>A fresh database (named <paramref name="prefix"/> and a new id) on the test PostgreSQL server; its connection string.</summary>
    public static async Task<string> NewPostgresDatabaseAsync(string prefix, CancellationToken cancellationToken) =>
        await NewPostgresDatabaseAsync(PostgresConnectionString(), prefix, cancellationToken);

    /// <summary>A fresh database on the PostgreSQL server of <paramref name="server"/> (a connection string to any of its databases).</summary>
    public static async Task<string> NewPostgresDatabaseAsync(string server, string prefix, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(server);
        var name = $"{prefix}{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        builder.Database = name;
        return builder.ConnectionString;
    }

    /// <summary>
    /// The environment of a scaled-out server process: state in <paramref name="database"/>, blobs in
    /// <paramref name="bucket"/> on the test S3 server, units through Hangfire, one download-link secret for every node.
    /// </summary>
    public static Dictionary<string, string> ClusterEnvironment(string database, string bucket)
    {
        var environment = S3Environment($"s3://{bucket}/enrichflow");
        environment["ENRICHFLOW_Store"] = database;
        environment["ENRICHFLOW_Dispatch__Kind"] = "hangfire";
        environment["ENRICHFLOW_Engine__ChunkSize"] = "250";
        environment["ENRICHFLOW_Downloads__Secret"] = "cluster-test-secret-0123456789abcdef";
        return environment;
    }

    /// <summary>Creates a bucket of its own on the test S3 server (named <paramref name="prefix"/> and a new id) and gives its name.</summary>
    public static async Task<string> NewBucketAsync(string prefix, CancellationToken cancellationToken)
    {
        var bucket = prefix + Guid.NewGuid().ToString("N");
        using var s3 = new HttpClient();
        (await s3.PutAsync($"{S3Address}/{bucket}", null, cancellationToken)).EnsureSuccessStatusCode();
        return bucket;
    }
}
