using Enrichflow.Blocks.Converters;
using Enrichflow.Blocks.Dedupe;
using Enrichflow.Blocks.Spill;
using Enrichflow.Blocks.Tests.RowOps;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Rows;
using Enrichflow.Core.Storage;
using Enrichflow.Storage.LocalDisk;

namespace Enrichflow.Blocks.Tests.Spill;

/// <summary>
/// <c>deduplicate</c> and <c>leads_to_company</c> over their key spill on a real blob store: many chunks observed and
/// processed in shuffled orders, in parallel, give the answer of a plain loop over the rows in input order.
/// </summary>
public sealed class KeySpillTests : IDisposable
{
    private const int Chunks = 60, RowsPerChunk = 25;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "keyspill-" + Guid.NewGuid().ToString("N"));
    private readonly LocalDiskBlobStore _blobs;

    public KeySpillTests() => _blobs = new LocalDiskBlobStore(_root);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("first", 1)]
    [InlineData("first", 2)]
    [InlineData("last", 3)]
    [InlineData("last", 4)]
    public async Task Deduplicate_keeps_the_first_or_last_row_of_each_key_whatever_order_the_chunks_run_in(string keep, int seed)
    {
        var block = (TwoPhaseBlock)RowOpsKit.Compile(new DeduplicateBlockType(), $$"""{"key_fields": ["email"], "keep": "{{keep}}"}""").Block!;
        var chunks = Leads(seed);
        var outputs = await RunAsync(block, chunks, seed);

        // The plain loop: rows in input order, each key's first (or last) row index kept.
        var rows = chunks.SelectMany(c => c.Rows).ToList();
        var keyOf = (Row r) => r.GetText("email")?.Trim().ToLowerInvariant();
        var winners = rows.Where(r => r.ContainsKey("email")).GroupBy(keyOf)
            .ToDictionary(g => g.Key!, g => keep == "first" ? g.Min(r => r.Index) : g.Max(r => r.Index));
        Assert.True(winners.Count < rows.Count / 2, "the leads should repeat keys");
        foreach (var chunk in chunks)
        {
            var output = outputs[chunk.Index];
            var expectedKept = chunk.Rows.Where(r => r.ContainsKey("email") && winners[keyOf(r)!] == r.Index).Select(r => r.Index);
            Assert.Equal(expectedKept, output.Rows.Select(r => r.Index));
            var expectedRejects = chunk.Rows.Where(r => !r.ContainsKey("email") || winners[keyOf(r)!] != r.Index).Select(r => r.ContainsKey("email")
                ? $"{r.Index}: deduplicate: duplicate of row {winners[keyOf(r)!]} key={keyOf(r)} kept={winners[keyOf(r)!]}"
                : $"{r.Index}: deduplicate: key column 'email' is missing");
            Assert.Equal(expectedRejects, output.Rejects.Select(r => r.Details is { } d
                ? $"{r.RowIndex}: {r.Reason} key={d["key"]} kept={d["kept_row_index"]}"
                : $"{r.RowIndex}: {r.Reason}"));
        }
    }

    [Fact]
    public async Task Leads_to_company_makes_each_company_from_its_first_lead_whatever_order_the_chunks_run_in()
    {
        var block = (TwoPhaseBlock)RowOpsKit.Compile(new LeadsToCompanyBlockType(), "{}").Block!;
        var chunks = Leads(7);
        var outputs = await RunAsync(block, chunks, 7);

        var rows = chunks.SelectMany(c => c.Rows).ToList();
        var keyOf = (Row r) => r.GetText("company")?.Trim().ToLowerInvariant();
        var first = rows.Where(r => !string.IsNullOrWhiteSpace(r.GetText("company"))).GroupBy(keyOf).ToDictionary(g => g.Key!, g => g.Min(r => r.Index));
        Assert.Equal(first.Values.Order(), outputs.Values.SelectMany(o => o.Rows).Select(r => r.Index).Order());
        Assert.All(outputs.Values.SelectMany(o => o.Rows), company => Assert.Equal(company.Index, first[company.GetText("name")!.ToLowerInvariant()]));
        Assert.Equal(rows.Where(r => string.IsNullOrWhiteSpace(r.GetText("company"))).Select(r => r.Index),
            outputs.Values.SelectMany(o => o.Rejects).Select(r => r.RowIndex).Order());
    }

    [Fact]
    public async Task Many_partitions_give_the_same_losers_as_few()
    {
        var chunks = Leads(11);
        var answers = new List<string>();
        foreach (var keysPerPartition in new long[] { 5, 300, KeySpill.KeysPerPartition })
        {
            var spill = new KeySpill(_blobs, $"spill-{keysPerPartition}/", KeyKeep.First, keysPerPartition);
            await Task.WhenAll(chunks.Select(c => Task.Run(() => spill.WriteChunkAsync(c.Index, ChunkKeys.Of(c, r => r.GetText("email")?.Trim().ToLowerInvariant()), Ct), Ct)));
            var kept = await Task.WhenAll(chunks.Select(c => Task.Run(() => spill.KeptRowsAsync(c, Ct), Ct)));
            answers.Add(string.Join(";", kept.Select(k => string.Join(",", k))));
        }

        Assert.Equal(answers[0], answers[1]);
        Assert.Equal(answers[0], answers[2]);
        Assert.Equal(256, _blobs.ListAsync("spill-5/red/256/", Ct).ToBlockingEnumerable(Ct).Count());
        Assert.Equal(4, _blobs.ListAsync($"spill-{KeySpill.KeysPerPartition}/red/004/", Ct).ToBlockingEnumerable(Ct).Count());
    }

    [Fact]
    public async Task Units_that_run_again_write_every_spill_blob_with_the_same_bytes_and_answer_the_same()
    {
        var block = (TwoPhaseBlock)RowOpsKit.Compile(new DeduplicateBlockType(), """{"key_fields": ["email"]}""").Block!;
        var chunks = Leads(5);
        var context = Context(Guid.NewGuid());
        var first = await RunAsync(block, chunks, 5, context);
        var blobs = await SnapshotAsync();
        Assert.Contains(blobs.Keys, k => k.Contains("/obs/", StringComparison.Ordinal));
        Assert.Contains(blobs.Keys, k => k.Contains("/red/", StringComparison.Ordinal));

        // As after a crash: some chunks observed again, the plan and a reduce lost, every chunk processed again.
        foreach (var chunk in chunks.Take(10))
        {
            await block.ObserveAsync(chunk, context, Ct);
        }

        await _blobs.DeleteAsync(blobs.Keys.Single(k => k.EndsWith("/plan", StringComparison.Ordinal)), Ct);
        await _blobs.DeleteAsync(blobs.Keys.First(k => k.Contains("/red/", StringComparison.Ordinal)), Ct);
        var again = new Dictionary<int, ChunkOutput>();
        foreach (var chunk in chunks.AsEnumerable().Reverse())
        {
            var output = new ChunkOutput(chunk.Count);
            await block.ProcessAsync(chunk, output, context, Ct);
            again[chunk.Index] = output;
        }

        Assert.Equal(blobs, await SnapshotAsync());
        foreach (var chunk in chunks)
        {
            Assert.Equal(first[chunk.Index].Rows.Select(r => r.Index), again[chunk.Index].Rows.Select(r => r.Index));
            Assert.Equal(first[chunk.Index].Rejects.Select(r => r.Reason), again[chunk.Index].Rejects.Select(r => r.Reason));
        }
    }

    [Theory]
    [InlineData(RunStatus.Completed, false)]
    [InlineData(RunStatus.Cancelled, false)]
    [InlineData(RunStatus.Failed, true)]
    public async Task The_spill_is_deleted_when_the_run_ends_unless_it_failed(RunStatus status, bool kept)
    {
        var block = (TwoPhaseBlock)RowOpsKit.Compile(new DeduplicateBlockType(), """{"key_fields": ["email"]}""").Block!;
        var runId = Guid.NewGuid();
        await RunAsync(block, Leads(3), 3, Context(runId));
        var run = new RunRecord(runId, "org", "wf", "wf", 1, "{}", "{}", status, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        await block.OnRunEndedAsync(new BlockRunEndContext { Run = run, BlockId = "block_1", Services = new Services(_blobs) }, Ct);
        Assert.Equal(kept, (await SnapshotAsync()).Count > 0);
    }

    [Fact]
    public async Task A_chunk_that_is_not_the_one_observed_fails_instead_of_dropping_the_wrong_rows()
    {
        var block = (TwoPhaseBlock)RowOpsKit.Compile(new DeduplicateBlockType(), """{"key_fields": ["email"]}""").Block!;
        var context = Context(Guid.NewGuid());
        var chunk = new RowChunk(0, [Lead(0, "a@x.com", "A"), Lead(1, "a@x.com", "A")]);
        await block.ObserveAsync(chunk, context, Ct);
        var changed = new RowChunk(0, [Lead(5, "a@x.com", "A"), Lead(6, "a@x.com", "A")]);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await block.ProcessAsync(changed, new ChunkOutput(2), context, Ct));
        Assert.Contains("not the chunk the first pass saw", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Observes every chunk in a shuffled order, several at once, then processes them in another.</summary>
    private async Task<Dictionary<int, ChunkOutput>> RunAsync(TwoPhaseBlock block, List<RowChunk> chunks, int seed, BlockRunContext? context = null)
    {
        context ??= Context(Guid.NewGuid());
        var random = new Random(seed);
        await Parallel.ForEachAsync(chunks.OrderBy(_ => random.Next()).ToList(), new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = Ct },
            async (chunk, ct) => await block.ObserveAsync(chunk, context, ct));
        var outputs = new System.Collections.Concurrent.ConcurrentDictionary<int, ChunkOutput>();
        await Parallel.ForEachAsync(chunks.OrderBy(_ => random.Next()).ToList(), new ParallelOptions { MaxDegreeOfParallelism = 6, CancellationToken = Ct },
            async (chunk, ct) =>
            {
                var output = new ChunkOutput(chunk.Count);
                await block.ProcessAsync(chunk, output, context, ct);
                outputs[chunk.Index] = output;
            });
        return new Dictionary<int, ChunkOutput>(outputs);
    }

    /// <summary>Leads whose emails and companies repeat in varied case and spacing; some lack an email or a company; row indexes are not positions.</summary>
    private static List<RowChunk> Leads(int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, Chunks).Select(c => new RowChunk(c, [.. Enumerable.Range(0, RowsPerChunk).Select(p =>
        {
            var index = (long)(c * RowsPerChunk + p) * 3 + 7;
            var n = random.Next(300);
            var email = random.Next(3) switch { 0 => $"lead{n}@example.com", 1 => $" Lead{n}@Example.COM", _ => $"LEAD{n}@example.com " };
            var company = random.Next(10) == 0 ? " " : $"Company {random.Next(80)}";
            return random.Next(40) == 0 ? new Row(index) { ["company"] = company } : Lead(index, email, company);
        })]))];
    }

    private static Row Lead(long index, string email, string company) => new(index) { ["email"] = email, ["company"] = company };

    private BlockRunContext Context(Guid runId) => new() { RunId = runId, OrgId = "org", BlockId = "block_1", Services = new Services(_blobs) };

    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var blobs = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var key in _blobs.ListAsync("runs/", Ct))
        {
            await using var stream = await _blobs.OpenReadAsync(key, Ct);
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, Ct);
            blobs[key] = Convert.ToHexString(copy.ToArray());
        }

        return blobs;
    }

    private sealed class Services(IBlobStore blobs) : IServiceProvider
    {
        public object? GetService(Type serviceType) => serviceType == typeof(IBlobStore) ? blobs : null;
    }
}
