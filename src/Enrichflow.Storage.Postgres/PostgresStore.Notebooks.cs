using System.Text.Json;
using Enrichflow.Core.Storage;
using Npgsql;

namespace Enrichflow.Storage.Postgres;

public sealed partial class PostgresStore
{
    private const string NotebookColumns = "id, org_id, name, key_fields, row_count, created_at, updated_at";

    public Task<NotebookRecord?> CreateIfAbsentAsync(string orgId, string id, string name, IReadOnlyList<string>? keyFields, DateTimeOffset now, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            await db.ExecuteAsync(
                """
                INSERT INTO notebooks (id, org_id, name, key_fields, row_count, created_at, updated_at)
                VALUES (@id, @org, @name, @keys, 0, @now, @now)
                ON CONFLICT (id) DO NOTHING
                """,
                ("id", id), ("org", orgId), ("name", name), ("keys", keyFields is null ? null : JsonSerializer.Serialize(keyFields)), ("now", now));
            return await db.QueryFirstAsync($"SELECT {NotebookColumns} FROM notebooks WHERE id = @id AND org_id = @org", ReadNotebook, ("id", id), ("org", orgId));
        }, cancellationToken);

    public Task<NotebookRecord?> GetNotebookAsync(string orgId, string id, CancellationToken cancellationToken) =>
        ReadAsync(db => db.QueryFirstAsync($"SELECT {NotebookColumns} FROM notebooks WHERE id = @id AND org_id = @org", ReadNotebook, ("id", id), ("org", orgId)),
            cancellationToken);

    public Task<IReadOnlyList<NotebookRecord>> ListNotebooksAsync(string orgId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<NotebookRecord>>(async db =>
            await db.QueryAsync($"SELECT {NotebookColumns} FROM notebooks WHERE org_id = @org ORDER BY updated_at DESC, id", ReadNotebook, ("org", orgId)),
            cancellationToken);

    public Task<bool> DeleteNotebookAsync(string orgId, string id, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            await db.ExecuteAsync("DELETE FROM notebook_segments WHERE notebook_id = (SELECT id FROM notebooks WHERE id = @id AND org_id = @org)", ("id", id), ("org", orgId));
            return await db.ExecuteAsync("DELETE FROM notebooks WHERE id = @id AND org_id = @org", ("id", id), ("org", orgId)) == 1;
        }, cancellationToken);

    public Task<bool> AddSegmentAsync(NotebookSegment segment, CancellationToken cancellationToken) =>
        WriteAsync(async db =>
        {
            var added = await db.ExecuteAsync(
                """
                INSERT INTO notebook_segments (notebook_id, segment_key, blob_key, row_count, appended_at)
                VALUES (@notebook, @segment, @blob, @rows, @now)
                ON CONFLICT (notebook_id, segment_key) DO NOTHING
                """,
                ("notebook", segment.NotebookId), ("segment", segment.SegmentKey), ("blob", segment.BlobKey), ("rows", segment.RowCount), ("now", segment.AppendedAt)) == 1;
            if (added)
            {
                await db.ExecuteAsync(
                    "UPDATE notebooks SET row_count = row_count + @rows, updated_at = @now WHERE id = @notebook",
                    ("notebook", segment.NotebookId), ("rows", segment.RowCount), ("now", segment.AppendedAt));
            }

            return added;
        }, cancellationToken);

    public Task<IReadOnlyList<NotebookSegment>> ListSegmentsAsync(string notebookId, CancellationToken cancellationToken) =>
        ReadAsync<IReadOnlyList<NotebookSegment>>(async db => await db.QueryAsync(
            "SELECT notebook_id, segment_key, blob_key, row_count, appended_at FROM notebook_segments WHERE notebook_id = @notebook ORDER BY ordinal",
            reader => new NotebookSegment(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetTime(4)),
            ("notebook", notebookId)), cancellationToken);

    private static NotebookRecord ReadNotebook(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetString(2),
        reader.GetStringOrNull(3) is { } keys ? JsonSerializer.Deserialize<List<string>>(keys) : null,
        reader.GetInt64(4),
        reader.GetTime(5),
        reader.GetTime(6));
}
