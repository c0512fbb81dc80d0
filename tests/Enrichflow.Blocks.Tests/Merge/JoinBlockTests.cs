using System.Text.Json;
using System.Text.Json.Nodes;
using Enrichflow.Blocks.Merge;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.LocalDisk;

namespace Enrichflow.Blocks.Tests.Merge;

/// <summary>
/// The join's two passes run over many chunks of both inputs in shuffled orders and in parallel (as units finish in
/// any order), against a real blob store on disk, and give what a plain nested-loop join gives.
/// </summary>
public sealed class JoinBlockTests : IDisposable
{
    private const int LeftChunks = 40, RightChunks = 30;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "ef-join-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("left", 1)]
    [InlineData("inner", 2)]
    [InlineData("left", 3)]
    public async Task Chunks_observed_and_joined_out_of_order_give_the_nested_loop_join(string type, int seed)
    {
        var (left, right) = Inputs(seed);
        var blobs = new LocalDiskBlobStore(Path.Combine(_root, "a"));
        var actual = await RunJoinAsync(Compile(type), blobs, Guid.CreateVersion7(), left, right, new Random(seed));

        for (var c = 0; c < LeftChunks; c++)
        {
            Assert.Equal(Expected(left[c], right, inner: type == "inner"), actual[c]);
        }

        Assert.Contains(actual.SelectMany(a => a), line => line.Contains("join: no row of the second input has key = ", StringComparison.Ordinal) || type == "left");
    }

    [Fact]
    public async Task A_second_run_of_every_unit_in_another_order_writes_the_same_bytes_and_a_completed_run_leaves_no_files()
    {
        var (left, right) = Inputs(7);
        var runId = Guid.CreateVersion7();
        var first = new LocalDiskBlobStore(Path.Combine(_root, "first"));
        var second = new LocalDiskBlobStore(Path.Combine(_root, "second"));
        var once = await RunJoinAsync(Compile("left"), first, runId, left, right, new Random(1));
        var block = Compile("left");
        var again = await RunJoinAsync(block, second, runId, left, right, new Random(2));
        // The same units again over the same files (a unit that ran twice, or a resume after a crash).
        var twice = await RunJoinAsync(block, second, runId, left, right, new Random(3));
        Assert.Equal(once, again);
        Assert.Equal(once, twice);

        var files = await Files(first);
        Assert.NotEmpty(files);
        Assert.Equal(files, await Files(second));

        var run = new RunRecord(runId, "org", "wf", "wf", 1, "{}", "{}", RunStatus.Failed, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        await block.OnRunEndedAsync(new BlockRunEndContext { Run = run, BlockId = "joined", Services = new Services(second) }, Ct);
        Assert.Equal(files, await Files(second));
        await block.OnRunEndedAsync(new BlockRunEndContext { Run = run with { Status = RunStatus.Completed }, BlockId = "joined", Services = new Services(second) }, Ct);
        Assert.Empty(await Files(second));
    }

    /// <summary>Observes every chunk of both inputs, then joins every chunk of the first, each pass shuffled and four at a time.</summary>
    private static async Task<List<string>[]> RunJoinAsync(MergeBlock block, IBlobStore blobs, Guid runId, List<Row>[] left, List<Row>[] right, Random random)
    {
        var context = new BlockRunContext { RunId = runId, OrgId = "org", BlockId = "joined", Services = new Services(blobs) };
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = Ct };
        var observe = Enumerable.Range(0, LeftChunks).Select(c => (Input: 0, Chunk: c)).Concat(Enumerable.Range(0, RightChunks).Select(c => (Input: 1, Chunk: c))).ToArray();
        random.Shuffle(observe);
        await Parallel.ForEachAsync(observe, parallel, async (unit, ct) =>
            await block.ObserveAsync(unit.Input, new RowChunk(unit.Chunk, Copy(unit.Input == 0 ? left[unit.Chunk] : right[unit.Chunk])), context, ct));

        var results = new List<string>[LeftChunks];
        var process = Enumerable.Range(0, LeftChunks).ToArray();
        random.Shuffle(process);
        await Parallel.ForEachAsync(process, parallel, async (chunk, ct) =>
        {
            var output = new ChunkOutput(0);
            await block.ProcessAsync(0, new RowChunk(chunk, Copy(left[chunk])), output, context, ct);
            results[chunk] = [.. output.Rows.Select(Line), .. output.Rejects.Select(r => $"reject {r.RowIndex} {r.Failed} {r.Reason}")];
        });
        return results;
    }

    /// <summary>The join as a nested loop: every left row with every right row of the same key, in the right input's order.</summary>
    private static List<string> Expected(List<Row> left, List<Row>[] right, bool inner)
    {
        var rows = new List<string>();
        var rejects = new List<string>();
        foreach (var row in left)
        {
            var key = Normal(row.GetText("k"));
            var matches = key is null ? [] : right.SelectMany(c => c).Where(r => Normal(r.GetText("key")) == key).ToList();
            if (matches.Count == 0)
            {
                if (inner)
                {
                    rejects.Add($"reject {row.Index} False join: no row of the second input has key = '{row.GetText("k")}'");
                }
                else
                {
                    rows.Add(Line(row.CopyAs(row.Index << 16)));
                }

                continue;
            }

            for (var m = 0; m < matches.Count; m++)
            {
                var joined = row.CopyAs((row.Index << 16) | (long)m);
                foreach (var (column, value) in matches[m])
                {
                    joined.TryAdd(column, value);
                }

                rows.Add(Line(joined));
            }
        }

        return [.. rows, .. rejects];
    }

    /// <summary>
    /// Keys from a small pool in varied case and spacing (some blank, some rows without the column), so keys repeat on
    /// both sides; both inputs have a <c>name</c> column (the first input's wins) and the second a JSON value.
    /// </summary>
    private static (List<Row>[] Left, List<Row>[] Right) Inputs(int seed)
    {
        var random = new Random(seed);
        string Key(int n) => (n % 3) switch { 0 => $"k{n}", 1 => $" K{n} ", _ => $"k{n}".ToUpperInvariant() };
        var left = Enumerable.Range(0, LeftChunks).Select(c => Enumerable.Range(0, 25).Select(i =>
        {
            var row = new Row((long)c * 25 + i) { ["name"] = $"left {c}.{i}" };
            switch (random.Next(20))
            {
                case 0: break;
                case 1: row["k"] = "  "; break;
                default: row["k"] = Key(random.Next(80)); break;
            }

            row["n"] = (long)i;
            return row;
        }).ToList()).ToArray();
        var right = Enumerable.Range(0, RightChunks).Select(c => Enumerable.Range(0, 20).Select(i => new Row((long)c * 20 + i)
        {
            ["key"] = random.Next(15) == 0 ? "" : Key(random.Next(60)),
            ["name"] = $"right {c}.{i}",
            ["facts"] = new JsonObject { ["chunk"] = c, ["tags"] = new JsonArray("a", i) },
            ["score"] = c * 0.5,
        }).ToList()).ToArray();
        return (left, right);
    }

    private static string? Normal(string? key) => key?.Trim().ToLowerInvariant() is { Length: > 0 } k ? k : null;

    private static List<Row> Copy(List<Row> rows) => [.. rows.Select(r => r.Clone())];

    private static string Line(Row row) =>
        $"{row.Index}: " + string.Join(", ", row.Select(kv => $"{kv.Key}={(kv.Value is JsonNode node ? node.ToJsonString() : RowValues.ToText(kv.Value))}"));

    private static MergeBlock Compile(string type)
    {
        using var specs = JsonDocument.Parse($$"""{"mode": "join", "join_key": {"left": "k", "right": "key"}, "join_type": "{{type}}"}""");
        var definition = new BlockDefinition(1, "merge", "merge", "joined", specs.RootElement.Clone());
        var errors = new List<DefinitionError>();
        var block = new MergeBlockType().Compile(new BlockCompileContext(definition, ["blocks", 0, "specs"], errors));
        Assert.Empty(errors);
        return Assert.IsAssignableFrom<MergeBlock>(block);
    }

    private async Task<List<(string Path, string Hash)>> Files(IBlobStore blobs)
    {
        var files = new List<(string, string)>();
        await foreach (var key in blobs.ListAsync("", Ct))
        {
            await using var stream = await blobs.OpenReadAsync(key, Ct);
            files.Add((key, Convert.ToHexString(await System.Security.Cryptography.SHA256.HashDataAsync(stream, Ct))));
        }

        return files;
    }

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private sealed class Services(IBlobStore blobs) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IBlobStore) ? blobs : null;
    }
}
