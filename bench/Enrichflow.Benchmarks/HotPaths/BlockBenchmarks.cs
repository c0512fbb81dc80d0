using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Enrichflow.Blocks.RowOps;
using Enrichflow.Blocks.Sources;
using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Rows;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Benchmarks.HotPaths;

/// <summary>Each block of the end-to-end pipeline over one chunk of 1,000 synthetic leads.</summary>
[MemoryDiagnoser]
public class BlockBenchmarks
{
    private byte[] _csv = null!;
    private RowBlock _validate = null!;
    private RowBlock _filter = null!;
    private RowBlock _transform = null!;
    private SourceBlock _readCsv = null!;
    private RowChunk _leads = null!;
    private RowChunk _validated = null!;
    private BlockRunContext _context = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var path = Path.Combine(Path.GetTempPath(), "ef-block-bench.csv");
        EndToEnd.LeadGenerator.Write(path, 1000);
        _csv = await File.ReadAllBytesAsync(path);
        _context = new BlockRunContext
        {
            RunId = Guid.NewGuid(),
            OrgId = "bench",
            BlockId = "b",
            Services = new ServiceCollection().AddEnrichflowValidation().BuildServiceProvider(),
        };
        _readCsv = (SourceBlock)Compile(new ReadCsvBlockType(), "{}");
        _validate = (RowBlock)Compile(new ValidateEmailBlockType(), """{"email_field": "email", "check_mx": false}""");
        _filter = (RowBlock)Compile(new FilterBlockType(), """{"expression": "[email_status] != 'invalid'"}""");
        _transform = (RowBlock)Compile(new TransformBlockType(),
            """{"operations": [{"op": "lower", "column": "email"}, {"op": "concat", "column": "full_name", "columns": ["first_name", "last_name"], "separator": " "}, {"op": "upper", "column": "country"}]}""");
        _leads = new RowChunk(0, await ReadRowsAsync());
        var output = new ChunkOutput(1000);
        await _validate.ProcessAsync(_leads, output, _context, CancellationToken.None);
        _validated = new RowChunk(0, output.Rows);
    }

    private static CompiledBlock Compile(BlockType type, string specs)
    {
        var errors = new List<DefinitionError>();
        var definition = new BlockDefinition(1, type.Name, type.Name, "b", JsonDocument.Parse(specs).RootElement.Clone());
        return type.Compile(new BlockCompileContext(definition, [], errors)) ?? throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Msg)));
    }

    private async Task<List<Row>> ReadRowsAsync()
    {
        var rows = new List<Row>(1000);
        var input = new SourceInput { OpenAsync = _ => Task.FromResult<Stream>(new MemoryStream(_csv)), FileName = "leads.csv" };
        await foreach (var record in _readCsv.ReadAsync(input, _context, CancellationToken.None))
        {
            rows.Add(record.Row!);
        }

        return rows;
    }

    [Benchmark]
    public async Task<int> ReadCsv() => (await ReadRowsAsync()).Count;

    [Benchmark]
    public async Task<int> ValidateEmail()
    {
        var output = new ChunkOutput(1000);
        await _validate.ProcessAsync(_leads, output, _context, CancellationToken.None);
        return output.Rows.Count;
    }

    [Benchmark]
    public async Task<int> Filter()
    {
        var output = new ChunkOutput(1000);
        await _filter.ProcessAsync(_validated, output, _context, CancellationToken.None);
        return output.Rows.Count;
    }

    [Benchmark]
    public async Task<int> Transform()
    {
        var output = new ChunkOutput(1000);
        await _transform.ProcessAsync(_validated, output, _context, CancellationToken.None);
        return output.Rows.Count;
    }
}
