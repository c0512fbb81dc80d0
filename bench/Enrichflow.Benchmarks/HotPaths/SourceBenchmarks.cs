using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Enrichflow.Blocks.Sources;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Microsoft.Extensions.DependencyInjection;

namespace Enrichflow.Benchmarks.HotPaths;

/// <summary>
/// Reading 100,000 synthetic leads through the <c>read_csv</c> source block, from a file opened the way the
/// local-disk blob store opens an upload (asynchronous, sequential, 64 KiB buffer), as CSV and as JSONL. Every
/// record is taken, as the engine's source unit does; rows/s is 100,000 divided by the mean.
/// </summary>
[MemoryDiagnoser]
public class SourceBenchmarks
{
    private const int Rows = 100_000;

    private string _csvPath = null!;
    private string _jsonlPath = null!;
    private SourceBlock _readCsv = null!;
    private BlockRunContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        var directory = Path.Combine(Path.GetTempPath(), "ef-source-bench");
        Directory.CreateDirectory(directory);
        _csvPath = Path.Combine(directory, "leads.csv");
        _jsonlPath = Path.Combine(directory, "leads.jsonl");
        EndToEnd.LeadGenerator.Write(_csvPath, Rows);
        WriteJsonLines(_csvPath, _jsonlPath);
        _context = new BlockRunContext { RunId = Guid.NewGuid(), OrgId = "bench", BlockId = "source", Services = new ServiceCollection().BuildServiceProvider() };
        var errors = new List<DefinitionError>();
        var type = new ReadCsvBlockType();
        var definition = new BlockDefinition(1, type.Name, type.Name, "source", JsonDocument.Parse("{}").RootElement.Clone());
        _readCsv = (SourceBlock)(type.Compile(new BlockCompileContext(definition, [], errors))
            ?? throw new InvalidOperationException(string.Join("; ", errors.Select(e => e.Msg))));
    }

    /// <summary>
    /// <c>source [--repeat N]</c>: reads the 100,000 leads N times per format and prints rows per CPU second (the
    /// thread's CPU time, steadier than wall time on a shared machine) and bytes allocated per row.
    /// </summary>
    public static async Task<int> RunOnceAsync(int repeat)
    {
        var bench = new SourceBenchmarks();
        bench.Setup();
        foreach (var (name, read) in new (string, Func<Task<long>>)[] { ("csv", bench.ReadCsv), ("jsonl", bench.ReadJsonLines) })
        {
            await read();
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < repeat; i++)
            {
                await read();
            }

            var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
            var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            var rows = (double)Rows * repeat;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {rows / cpuSeconds:F0} rows/CPU-s, {rows / watch.Elapsed.TotalSeconds:F0} rows/s wall, {bytes / rows:F0} B/row"));
        }

        return 0;
    }

    [Benchmark(Baseline = true)]
    public Task<long> ReadCsv() => ReadAsync(_csvPath, "leads.csv");

    [Benchmark]
    public Task<long> ReadJsonLines() => ReadAsync(_jsonlPath, "leads.jsonl");

    private async Task<long> ReadAsync(string path, string fileName)
    {
        var input = new SourceInput { OpenAsync = _ => Task.FromResult<Stream>(Open(path)), FileName = fileName };
        long rows = 0;
        await foreach (var record in _readCsv.ReadAsync(input, _context, CancellationToken.None))
        {
            if (record.Row is not null)
            {
                rows++;
            }
        }

        return rows == Rows ? rows : throw new InvalidOperationException($"read {rows} rows, not {Rows}");
    }

    private static FileStream Open(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.Open,
        Access = FileAccess.Read,
        Share = FileShare.Read,
        Options = FileOptions.Asynchronous | FileOptions.SequentialScan,
        BufferSize = 64 * 1024,
    });

    private static void WriteJsonLines(string csvPath, string jsonlPath)
    {
        using var reader = new StreamReader(csvPath);
        var header = reader.ReadLine()!.Split(',');
        using var output = File.Create(jsonlPath);
        using var json = new Utf8JsonWriter(output);
        while (reader.ReadLine() is { } line)
        {
            var values = line.Split(',');
            json.WriteStartObject();
            for (var i = 0; i < header.Length; i++)
            {
                json.WriteString(header[i], values[i]);
            }

            json.WriteEndObject();
            json.Flush();
            output.Write("\n"u8);
            json.Reset();
        }
    }
}
