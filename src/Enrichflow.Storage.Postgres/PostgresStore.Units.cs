using System.Globalization;
using System.Text;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

// The status guards in these statements are the atomic fence of the engine's state tables (Enrichflow.Engine.States),
// the same as the SQLite store's: a claim takes a pending unit, or a running one whose lease ran out, of a running run,
// and moves a pending block to running; commit, fail and renew need the running unit's lease; a retry makes failed and
// running units pending; a unit done alongside another is recorded as done unless it is done already. The compliance
// suite checks each one. With many writers, the row locks make them atomic: a claim locks the unit it takes (passing
// over units other claims hold, SKIP LOCKED) and shares the lock of its run (a status change waits for it and the claim
// sees it); commit, renew and fail re-read the lease under the unit's row lock.
public sealed partial class PostgresStore
{
    /// <summary>Candidates a claim considers per run: enough that concurrent claims on one run find a unit none of them holds.</summary>
    private const int CandidatesPerRun = 32;

    private const string UnitKeyMatch = "run_id = @run AND kind = @kind AND block_id = @block AND chunk = @chunk";

    private const string LeaseMatch = $"{UnitKeyMatch} AND status = 'running' AND lease_token = @token";

    // Fair claims (docs/api.md §3), as in the SQLite store: assemble and finalize units first; then the organization with
    // the fewest units under a live lease, then the one whose last claim is oldest (its turn); within it the run chosen
    // the same way; within the run its best unit (lower chunks, later blocks). The candidates are each running run's best
    // pending units plus the units whose lease ran out; the outer WHERE is checked again on the locked row, so a unit
    // another claim took meanwhile is passed over.
    /// <summary>The next unit to claim and its organization; {0} filters out skipped blocks.</summary>
    private const string ClaimCandidate =
        """
        WITH live AS MATERIALIZED (
            SELECT r.id AS run_id, r.org_id, r.queued_at,
                   coalesce((SELECT t.turn FROM run_claim_turns t WHERE t.run_id = r.id), 0) AS run_turn,
                   (SELECT count(*) FROM work_units l
                    WHERE l.run_id = r.id AND l.status = 'running' AND l.lease_expires_at >= @now) AS run_leased
            FROM runs r
            WHERE r.status = 'running'
        ),
        orgs AS MATERIALIZED (
            SELECT o.org_id, sum(o.run_leased) AS org_leased,
                   coalesce((SELECT t.turn FROM org_claim_turns t WHERE t.org_id = o.org_id), 0) AS org_turn
            FROM live o
            GROUP BY o.org_id
        ),
        candidates AS (
            SELECT best.unit_id
            FROM live l
            CROSS JOIN LATERAL (
                SELECT p.id AS unit_id FROM work_units p
                WHERE p.run_id = l.run_id AND p.status = 'pending'{0}
                ORDER BY p.urgent DESC, p.chunk, p.position DESC
                LIMIT @perRun) best
            UNION ALL
            SELECT p.id
            FROM live l JOIN work_units p ON p.run_id = l.run_id
            WHERE p.status = 'running' AND p.lease_expires_at < @now{0}
        )
        SELECT u.id, u.run_id, u.kind, u.block_id, u.chunk, u.position, l.org_id
        FROM candidates c
        JOIN work_units u ON u.id = c.unit_id
        JOIN runs r ON r.id = u.run_id
        JOIN live l ON l.run_id = u.run_id
        JOIN orgs o ON o.org_id = l.org_id
        WHERE r.status = 'running' AND (u.status = 'pending' OR (u.status = 'running' AND u.lease_expires_at < @now))
        ORDER BY u.urgent DESC, o.org_leased, o.org_turn, l.run_leased, l.run_turn, u.chunk, u.position DESC, l.queued_at, u.id
        LIMIT 1
        FOR UPDATE OF u SKIP LOCKED
        FOR SHARE OF r
        """;

    /// <summary>
    /// Takes the locked unit under a new lease, moves its block to running (a chunk unit), and gives its organization and run
    /// the next turn: they go behind every other one that ties on leases.
    /// </summary>
    private const string TakeUnit =
        """
        UPDATE work_units
        SET status = 'running', lease_token = @token, lease_owner = @owner, lease_expires_at = @expires,
            attempt = attempt + 1, updated_at = @now
        WHERE id = @id
        RETURNING attempt;
        UPDATE run_blocks SET status = 'running', started_at = coalesce(started_at, @now), updated_at = @now
        WHERE @isChunk AND run_id = @run AND block_id = @block AND status = 'pending';
        INSERT INTO org_claim_turns (org_id, turn) VALUES (@org, nextval('claim_turns'))
        ON CONFLICT (org_id) DO UPDATE SET turn = excluded.turn;
        INSERT INTO run_claim_turns (run_id, turn) VALUES (@run, currval('claim_turns'))
        ON CONFLICT (run_id) DO UPDATE SET turn = excluded.turn;
        """;

    private static readonly string ClaimAny = string.Format(CultureInfo.InvariantCulture, ClaimCandidate, "");

    public Task EnqueueUnitsAsync(IReadOnlyList<UnitKey> units, CancellationToken cancellationToken) =>
        units.Count == 0 ? Task.CompletedTask : WriteAsync(db => AddPendingUnitsAsync(db, units, DateTimeOffset.UtcNow), cancellationToken);

    /// <remarks>
    /// The first claim of a <see cref="UnitKind.Chunk"/> unit moves its block from pending to running (with
    /// <c>started_at</c>), so live status is right without waiting for the engine's <see cref="TransitionBlockAsync"/>.
    /// </remarks>
    public Task<ClaimedUnit?> ClaimUnitAsync(string owner, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) =>
        ClaimUnitAsync(owner, lease, now, [], cancellationToken);

    public Task<ClaimedUnit?> ClaimUnitAsync(string owner, TimeSpan lease, DateTimeOffset now, IReadOnlyCollection<UnitHead> skip, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var sql = ClaimAny;
            var parameters = new List<(string, object?)> { ("now", now), ("perRun", CandidatesPerRun) };
            if (skip.Count > 0)
            {
                var filter = new StringBuilder();
                var i = 0;
                foreach (var head in skip)
                {
                    filter.Append(CultureInfo.InvariantCulture, $" AND NOT (p.run_id = @sr{i} AND p.block_id = @sb{i})");
                    parameters.Add(($"sr{i}", head.RunId));
                    parameters.Add(($"sb{i}", head.BlockId));
                    i++;
                }

                sql = string.Format(CultureInfo.InvariantCulture, ClaimCandidate, filter);
            }

            var candidate = await db.QueryFirstAsync(sql, reader => new UnitRow(
                reader.GetInt64(0),
                new UnitKey(reader.GetGuid(1), (UnitKind)reader.GetInt32(2), reader.GetString(3), reader.GetInt32(4), reader.GetInt32(5)),
                reader.GetString(6)),
                [.. parameters]);
            if (candidate is null)
            {
                return null;
            }

            var token = Guid.NewGuid();
            var expiresAt = now + lease;
            var attempt = await db.ScalarAsync<int>(
                TakeUnit,
                ("id", candidate.Id), ("token", token), ("owner", owner), ("expires", expiresAt), ("now", now),
                ("isChunk", candidate.Key.Kind == UnitKind.Chunk), ("run", candidate.Key.RunId), ("block", candidate.Key.BlockId),
                ("org", candidate.OrgId));
            return new ClaimedUnit(candidate.Key, token, attempt, expiresAt);
        }, cancellationToken);

    public Task<bool> RenewLeaseAsync(ClaimedUnit unit, TimeSpan lease, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync(
            $"UPDATE work_units SET lease_expires_at = @expires, updated_at = @now WHERE {LeaseMatch}",
            [.. KeyParameters(unit.Key), ("token", unit.LeaseToken), ("expires", now + lease), ("now", now)]) == 1, cancellationToken);

    /// <remarks>
    /// A <see cref="UnitCommit.Done"/> that is the leased unit itself is marked done even when
    /// <see cref="UnitCommit.FinishesLease"/> is false. Another unit named as done is recorded as done whatever its
    /// state, which also fences out any other holder of that unit. The leased unit's row stays locked from the lease
    /// check to the end, so a retry or another commit of it waits and then finds the lease gone.
    /// </remarks>
    public Task<CommitResult> CommitUnitAsync(ClaimedUnit unit, UnitCommit commit, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var leasedId = await db.ScalarAsync<long?>(
                $"SELECT id FROM work_units WHERE {LeaseMatch} FOR UPDATE",
                [.. KeyParameters(unit.Key), ("token", unit.LeaseToken)]);
            if (leasedId is null)
            {
                return new CommitResult(false, 0, null);
            }

            var done = commit.Done;
            foreach (var (key, counters) in commit.AlsoDone.Prepend((done, commit.Counters)))
            {
                var firstTime = key == unit.Key
                    ? await db.ExecuteAsync(
                        "UPDATE work_units SET status = 'done', rows_out = @rowsOut, output_tag = @token, updated_at = @now WHERE id = @id AND status <> 'done'",
                        ("id", leasedId), ("rowsOut", counters.RowsOut), ("token", unit.LeaseToken), ("now", now)) == 1
                    : await db.ExecuteAsync(
                        """
                        INSERT INTO work_units (run_id, kind, block_id, chunk, position, status, rows_out, output_tag, updated_at)
                        VALUES (@run, @kind, @block, @chunk, @position, 'done', @rowsOut, @token, @now)
                        ON CONFLICT (run_id, kind, block_id, chunk) DO UPDATE
                        SET status = 'done', rows_out = excluded.rows_out, output_tag = excluded.output_tag, updated_at = excluded.updated_at
                        WHERE work_units.status <> 'done'
                        """,
                        [.. KeyParameters(key), ("position", key.Position), ("rowsOut", counters.RowsOut), ("token", unit.LeaseToken), ("now", now)]) == 1;
                if (firstTime)
                {
                    await db.ExecuteAsync(
                        """
                        UPDATE run_blocks
                        SET rows_in = rows_in + @rowsIn, rows_out = rows_out + @rowsOut, rows_rejected = rows_rejected + @rowsRejected,
                            rows_failed = rows_failed + @rowsFailed, chunks_done = chunks_done + @chunks, updated_at = @now
                        WHERE run_id = @run AND block_id = @block
                        """,
                        ("run", key.RunId), ("block", key.BlockId), ("rowsIn", counters.RowsIn), ("rowsOut", counters.RowsOut),
                        ("rowsRejected", counters.RowsRejected), ("rowsFailed", counters.RowsFailed),
                        ("chunks", key.Kind == UnitKind.Chunk ? 1 : 0), ("now", now));
                }
            }

            await AddPendingUnitsAsync(db, commit.Enqueue, now);
            if (commit.FinishesLease && done != unit.Key && commit.AlsoDone.All(a => a.Unit != unit.Key))
            {
                await db.ExecuteAsync("UPDATE work_units SET status = 'done', updated_at = @now WHERE id = @id", ("id", leasedId), ("now", now));
            }

            if (commit.SourceChunkCount is { } sourceChunks)
            {
                await db.ExecuteAsync("UPDATE runs SET source_chunk_count = @count WHERE id = @run", ("run", unit.Key.RunId), ("count", sourceChunks));
            }

            return (await db.QueryFirstAsync(
                """
                SELECT (SELECT chunks_done FROM run_blocks WHERE run_id = @run AND block_id = @block),
                       (SELECT source_chunk_count FROM runs WHERE id = @run)
                """,
                reader => new CommitRow(new CommitResult(true, reader.IsDBNull(0) ? 0 : reader.GetInt32(0), reader.GetInt32OrNull(1))),
                ("run", done.RunId), ("block", done.BlockId)))!.Result;
        }, cancellationToken);

    public Task<bool> FailUnitAsync(ClaimedUnit unit, string error, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db => await db.ExecuteAsync(
            $"UPDATE work_units SET status = 'failed', error = @error, updated_at = @now WHERE {LeaseMatch}",
            [.. KeyParameters(unit.Key), ("token", unit.LeaseToken), ("error", error), ("now", now)]) == 1, cancellationToken);

    public Task ExpireAllLeasesAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "UPDATE work_units SET lease_expires_at = @expired WHERE status = 'running'",
            ("expired", now - TimeSpan.FromSeconds(1))), cancellationToken);

    /// <remarks>The units keep their attempt count and last error until they are claimed again.</remarks>
    public Task RetryFailedUnitsAsync(Guid runId, CancellationToken cancellationToken) =>
        WriteAsync(db => db.ExecuteAsync(
            "UPDATE work_units SET status = 'pending', lease_token = NULL, lease_owner = NULL, lease_expires_at = NULL WHERE run_id = @run AND status IN ('failed', 'running')",
            ("run", runId)), cancellationToken);

    /// <remarks>Ascending.</remarks>
    public Task<IReadOnlyList<int>> ListDoneChunksAsync(Guid runId, string blockId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<int>>(async db => await db.QueryAsync(
            "SELECT chunk FROM work_units WHERE run_id = @run AND kind = @kind AND block_id = @block AND status = 'done' ORDER BY chunk",
            reader => reader.GetInt32(0),
            ("run", runId), ("kind", (int)UnitKind.Chunk), ("block", blockId)), cancellationToken);

    public Task<int> CountDoneAsync(Guid runId, UnitKind kind, string blockId, CancellationToken cancellationToken) =>
        ReadAsync(async db => (int)await db.ScalarAsync<long>(
            "SELECT count(*) FROM work_units WHERE run_id = @run AND kind = @kind AND block_id = @block AND status = 'done'",
            ("run", runId), ("kind", (int)kind), ("block", blockId)), cancellationToken);

    public Task<IReadOnlyList<ChunkOutputRecord>> ListChunkOutputsAsync(Guid runId, string blockId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<ChunkOutputRecord>>(async db => await db.QueryAsync(
            """
            SELECT chunk, coalesce(rows_out, 0), output_tag FROM work_units
            WHERE run_id = @run AND kind = @kind AND block_id = @block AND status = 'done' ORDER BY chunk
            """,
            ReadChunkOutput,
            ("run", runId), ("kind", (int)UnitKind.Chunk), ("block", blockId)), cancellationToken);

    public Task<ChunkOutputRecord?> GetChunkOutputAsync(UnitKey unit, CancellationToken cancellationToken) =>
        ReadAsync(async db => (await db.QueryAsync(
            $"SELECT chunk, coalesce(rows_out, 0), output_tag FROM work_units WHERE {UnitKeyMatch} AND status = 'done'",
            ReadChunkOutput,
            KeyParameters(unit))).Select(o => (ChunkOutputRecord?)o).FirstOrDefault(), cancellationToken);

    private static ChunkOutputRecord ReadChunkOutput(NpgsqlDataReader reader) =>
        new(reader.GetInt32(0), reader.GetInt64(1), reader.IsDBNull(2) ? Guid.Empty : reader.GetGuid(2));

    public Task<UnitCounts> CountUnitsAsync(Guid runId, CancellationToken cancellationToken) =>
        ReadAsync(async db =>
        {
            var counts = (await db.QueryAsync(
                "SELECT status, count(*)::int FROM work_units WHERE run_id = @run GROUP BY status",
                reader => (Status: reader.GetString(0), Count: reader.GetInt32(1)),
                ("run", runId))).ToDictionary(c => c.Status, c => c.Count);
            return new UnitCounts(
                counts.GetValueOrDefault(UnitStatus.Pending.ToWire()), counts.GetValueOrDefault(UnitStatus.Running.ToWire()),
                counts.GetValueOrDefault(UnitStatus.Done.ToWire()), counts.GetValueOrDefault(UnitStatus.Failed.ToWire()));
        }, cancellationToken);

    public Task<StoreActivity> CountActivityAsync(CancellationToken cancellationToken) =>
        ReadAsync(async db =>
        {
            var runs = await db.QueryAsync(
                "SELECT status, count(*) FROM runs GROUP BY status",
                reader => (Status: reader.GetString(0), Count: reader.GetInt64(1)));
            var units = (await db.QueryAsync(
                "SELECT status, count(*) FROM work_units WHERE status IN ('pending', 'running') GROUP BY status",
                reader => (Status: reader.GetString(0), Count: reader.GetInt64(1)))).ToDictionary(c => c.Status, c => c.Count);
            return new StoreActivity(
                runs.ToDictionary(r => ParseRunStatus(r.Status), r => r.Count),
                units.GetValueOrDefault(UnitStatus.Pending.ToWire()), units.GetValueOrDefault(UnitStatus.Running.ToWire()));
        }, cancellationToken);

    public Task<bool> IsUnitDoneAsync(UnitKey unit, CancellationToken cancellationToken) =>
        ReadAsync(async db => await db.ScalarAsync<bool>(
            $"SELECT EXISTS (SELECT 1 FROM work_units WHERE {UnitKeyMatch} AND status = 'done')",
            KeyParameters(unit)), cancellationToken);

    /// <summary>Adds the units as pending where absent, in one statement, in the given order (their ids, the claim's last tie-break, follow it).</summary>
    private static async Task AddPendingUnitsAsync(PgSession db, IReadOnlyList<UnitKey> units, DateTimeOffset now)
    {
        if (units.Count == 0)
        {
            return;
        }

        var ordered = units as UnitKey[] ?? [.. units];
        await db.ExecuteAsync(
            """
            INSERT INTO work_units (run_id, kind, block_id, chunk, position, status, updated_at)
            SELECT t.run_id, t.kind, t.block_id, t.chunk, t.position, 'pending', @now
            FROM unnest(@runs::uuid[], @kinds::integer[], @blocks::text[], @chunks::integer[], @positions::integer[])
                 WITH ORDINALITY AS t(run_id, kind, block_id, chunk, position, ord)
            ORDER BY t.ord
            ON CONFLICT (run_id, kind, block_id, chunk) DO NOTHING
            """,
            ("runs", ordered.Select(u => u.RunId).ToArray()), ("kinds", ordered.Select(u => (int)u.Kind).ToArray()),
            ("blocks", ordered.Select(u => u.BlockId).ToArray()), ("chunks", ordered.Select(u => u.Chunk).ToArray()),
            ("positions", ordered.Select(u => u.Position).ToArray()), ("now", now));
    }

    private static (string Name, object? Value)[] KeyParameters(UnitKey key) =>
        [("run", key.RunId), ("kind", (int)key.Kind), ("block", key.BlockId), ("chunk", key.Chunk)];

    private sealed record UnitRow(long Id, UnitKey Key, string OrgId);

    private sealed record CommitRow(CommitResult Result);
}
