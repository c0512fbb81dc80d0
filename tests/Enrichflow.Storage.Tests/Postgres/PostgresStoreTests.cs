using System.Collections.Concurrent;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.Postgres;

namespace Enrichflow.Storage.Tests.Postgres;

/// <summary>What the PostgreSQL store does beyond the compliance suites: many processes on one database.</summary>
public sealed class PostgresStoreTests(PostgresStoreFixture postgres)
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Stores_starting_together_apply_each_migration_once()
    {
        var connectionString = await postgres.NewSchemaAsync(Ct);
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresStore(connectionString)).ToArray();
        try
        {
            var applied = await Task.WhenAll(stores.Select(s => s.ApplyMigrationsAsync(Ct)));

            Assert.Equal(PostgresStore.KnownMigrations, applied.SelectMany(a => a).Order());
            Assert.Equal(PostgresStore.KnownMigrations, await stores[0].GetAppliedMigrationsAsync(Ct));
            Assert.Empty(await stores[1].ApplyMigrationsAsync(Ct));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Concurrent_claims_take_each_unit_once_and_none_comes_back_empty_while_units_are_pending()
    {
        await using var store = await postgres.CreateAsync(Ct);
        var run = new RunRecord(Guid.CreateVersion7(), "org-a", "wf-1", "Workflow", 1, """{"blocks":[]}""", "{}", RunStatus.Running, T0, T0);
        var units = Enumerable.Range(0, 200).Select(chunk => new UnitKey(run.Id, UnitKind.Chunk, "clean", chunk, 1)).ToArray();
        await store.CreateRunAsync(new QueuedRun(run, [new RunBlockRecord(run.Id, "clean", "clean", 1, 1, BlockStatus.Pending)], units), null, Ct);

        var claimed = new ConcurrentBag<UnitKey>();
        var emptyClaims = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, 8), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (worker, ct) =>
        {
            for (var i = 0; i < 25; i++)
            {
                if (await store.ClaimUnitAsync($"worker-{worker}", TimeSpan.FromMinutes(5), T0, ct) is { } unit)
                {
                    claimed.Add(unit.Key);
                }
                else
                {
                    Interlocked.Increment(ref emptyClaims);
                }
            }
        });

        Assert.Equal(0, emptyClaims);
        Assert.Equal(units.Length, claimed.Distinct().Count());
        Assert.Equal(units.Length, claimed.Count);
        Assert.Null(await store.ClaimUnitAsync("late", TimeSpan.FromMinutes(5), T0, Ct));
    }

    [Theory]
    [InlineData("postgres://enrich:p%40ss@db.example:6432/enrichflow?sslmode=require", "db.example", 6432, "enrich", "p@ss", "enrichflow")]
    [InlineData("postgresql://u@localhost/app", "localhost", 5432, "u", null, "app")]
    [InlineData("Host=h;Port=7000;Username=x;Password=y;Database=d", "h", 7000, "x", "y", "d")]
    public void A_postgres_url_or_connection_string_becomes_a_connection_string(string setting, string host, int port, string user, string? password, string database)
    {
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnection.Parse(setting));

        Assert.Equal((host, port, user, password, database), (parsed.Host, parsed.Port, parsed.Username, parsed.Password, parsed.Database));
    }

    [Theory]
    [InlineData("Host=h;Database=d", 12)]
    [InlineData("Host=h;Database=d;Maximum Pool Size=40", 40)]
    [InlineData("Host=h;Database=d;MaxPoolSize=3", 3)]
    [InlineData("Host=h;Database=d;maximum pool size=100", 100)]
    public void The_pool_holds_a_dozen_connections_unless_the_setting_names_its_size(string setting, int expected)
    {
        // Npgsql's own default (100 per process) is all of PostgreSQL's default max_connections: a cluster's processes
        // would take every slot and the next connection would fail instead of waiting.
        var pooled = new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnection.WithDefaultPoolSize(setting, PostgresStore.DefaultMaxPoolSize));

        Assert.Equal(expected, pooled.MaxPoolSize);
    }

    [Fact]
    public void A_malformed_setting_is_refused_without_showing_its_password()
    {
        var error = Assert.Throws<FormatException>(() => PostgresConnection.Parse("postgres://u:secret@db/x?no_such_keyword=1"));

        Assert.Contains("no such keyword", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}
