using BenchmarkDotNet.Attributes;
using Enrichflow.Core.Rows;

namespace Enrichflow.Benchmarks.HotPaths;

/// <summary>Writing and reading one stored chunk of 1,000 lead rows (the engine does both for every unit).</summary>
[MemoryDiagnoser]
public class ChunkFormatBenchmarks
{
    private RowChunk _chunk = null!;
    private byte[] _bytes = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rows = new List<Row>(1000);
        for (var i = 0; i < 1000; i++)
        {
            var row = new Row(i)
            {
                ["id"] = i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["first_name"] = "Grace",
                ["last_name"] = "Hopper",
                ["email"] = $"grace.hopper{i}@example.com",
                ["company"] = "Acme",
                ["domain"] = "acme.com",
                ["phone"] = "+1 (555) 010-0000",
                ["title"] = "Head of Data",
                ["country"] = "US",
                ["score"] = "42",
                ["email_status"] = "valid",
                ["email_mx_found"] = null,
                ["email_is_free"] = false,
            };
            rows.Add(row);
        }

        _chunk = new RowChunk(0, rows);
        using var stream = new MemoryStream();
        ChunkFormat.WriteAsync(stream, _chunk, CancellationToken.None).GetAwaiter().GetResult();
        _bytes = stream.ToArray();
    }

    [Benchmark]
    public async Task<long> Write()
    {
        using var stream = new MemoryStream(_bytes.Length);
        await ChunkFormat.WriteAsync(stream, _chunk, CancellationToken.None);
        return stream.Length;
    }

    [Benchmark]
    public int Parse() => ChunkFormat.Parse(_bytes).Count;

    [Benchmark]
    public int CsvFragment()
    {
        using var buffer = new Enrichflow.Core.Buffers.PooledBuffer(256 * 1024);
        Enrichflow.Engine.Results.CsvFragments.Render(buffer, _chunk.Columns(), _chunk.Rows, formulaGuard: true);
        return buffer.WrittenCount;
    }

    [Benchmark]
    public int Ndjson()
    {
        using var buffer = new Enrichflow.Core.Buffers.PooledBuffer(256 * 1024);
        ChunkFormat.WriteNdjson(buffer, _chunk.Rows);
        return buffer.WrittenCount;
    }
}
