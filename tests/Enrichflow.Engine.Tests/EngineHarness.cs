using System.Text;
using System.Text.Json;
using Enrichflow.Blocks;
using Enrichflow.Blocks.Validation;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Definitions;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Execution;
using Enrichflow.Storage.LocalDisk;
using Enrichflow.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using nietras.SeparatedValues;

namespace Enrichflow.Engine.Tests;

/// <summary>How a compliance test wants its engine to cut and schedule work.</summary>
public sealed record EngineSetup
{
    public int Workers { get; init; } = 4;

    public int ChunkSize { get; init; } = 10;

    public TimeSpan Lease { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxAttempts { get; init; } = 3;

    /// <summary>The engine's clock (leases, renewals, timestamps); the system clock when null.</summary>
    public TimeProvider? Time { get; init; }

    /// <summary>Copies the setup onto the engine's options (the configure action of <c>AddEnrichflowEngine</c> or its twin).</summary>
    public void Apply(EngineOptions options)
    {
        options.Workers = Workers;
        options.ChunkSize = ChunkSize;
        options.Lease = Lease;
        options.MaxAttempts = MaxAttempts;
        options.PollInterval = TimeSpan.FromMilliseconds(100);
        options.NodeName = "compliance";
    }
}

/// <summary>
/// A started engine without HTTP: a store, a blob store and a dispatcher (chosen by the caller), every block type
/// plus the test block <c>probe</c>, over a temporary directory that is deleted on dispose. Runs are queued the
/// way <c>POST /workflows/run</c> queues them, and watched through the store.
/// </summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(8);

    private readonly IHost _host;
    private readonly string _directory;
    private readonly LogSink _logs;

    private EngineHarness(IHost host, string directory, LogSink logs)
    {
        _host = host;
        _directory = directory;
        _logs = logs;
    }

    public IServiceProvider Services => _host.Services;

    public IRunStore Store => Services.GetRequiredService<IRunStore>();

    public IBlobStore Blobs => Services.GetRequiredService<IBlobStore>();

    public IWorkDispatcher Dispatcher => Services.GetRequiredService<IWorkDispatcher>();

    public RunCoordinator Coordinator => Services.GetRequiredService<RunCoordinator>();

    /// <summary>What the <c>probe</c> block does with each chunk, and what it saw.</summary>
    public BlockProbe Probe => Services.GetRequiredService<BlockProbe>();

    /// <summary>Faults injected between the engine and its run store.</summary>
    public StoreFaults Faults => Services.GetRequiredService<StoreFaults>();

    /// <summary>
    /// Builds and starts an engine. <paramref name="addBackend"/> registers the store (as <see cref="IRunStore"/>,
    /// <see cref="IWorkflowStore"/> and <see cref="IAccountStore"/>), the blob store and the engine with its dispatcher,
    /// under the given data directory; the run store is then wrapped so that tests can inject faults. A
    /// <paramref name="time"/> given replaces the system clock for every service that takes a <see cref="TimeProvider"/>.
    /// </summary>
    public static async Task<EngineHarness> StartAsync(Action<IServiceCollection, string> addBackend, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "enrichflow-dispatch", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var logs = new LogSink();
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = directory });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddProvider(logs);
        var probe = new BlockProbe();
        builder.Services.AddSingleton(probe);
        builder.Services.AddSingleton(new StoreFaults());
        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Services.AddSingleton<BlockType>(new ProbeBlockType(probe));
        builder.Services.AddBlocks();
        addBackend(builder.Services, directory);
        FaultInjectingRunStore.Decorate(builder.Services);

        var host = builder.Build();
        var harness = new EngineHarness(host, directory, logs);
        try
        {
            await host.Services.GetRequiredService<IAccountStore>().MigrateAsync(cancellationToken);
            await host.StartAsync(cancellationToken);
            return harness;
        }
        catch
        {
            await harness.DisposeAsync();
            throw;
        }
    }

    /// <summary>The embedded backend: SQLite and local disk under <paramref name="directory"/>.</summary>
    public static void AddEmbeddedStorage(IServiceCollection services, string directory)
    {
        services.AddSingleton(_ => new SqliteStore(Path.Combine(directory, "enrichflow.db")));
        services.AddSingleton<IAccountStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IWorkflowStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IRunStore>(sp => sp.GetRequiredService<SqliteStore>());
        services.AddSingleton<IBlobStore>(_ => new LocalDiskBlobStore(Path.Combine(directory, "blobs")));
    }

    /// <summary>
    /// Queues a run of <paramref name="definitionJson"/> (a webhook source) over <paramref name="rows"/> rows
    /// <c>{"id": i, "name": "lead i"}</c>, as <c>POST /workflows/run</c> does: payload blob, plan, <see cref="RunLauncher"/>.
    /// </summary>
    public async Task<Guid> QueueWebhookRunAsync(string definitionJson, int rows, CancellationToken cancellationToken, Guid? runId = null)
    {
        var (id, workflow, plan, options) = await PrepareWebhookRunAsync(definitionJson, rows, runId, cancellationToken);
        await Services.GetRequiredService<RunLauncher>().QueueAsync(id, workflow, plan, options, cancellationToken);
        return id;
    }

    /// <summary>
    /// The records of a webhook run as <see cref="QueueWebhookRunAsync"/> would queue them (its payload stored), for a
    /// test that stores them another way (as a crash would have left them).
    /// </summary>
    public async Task<QueuedRun> NewWebhookRunAsync(string definitionJson, int rows, CancellationToken cancellationToken)
    {
        var (id, workflow, plan, options) = await PrepareWebhookRunAsync(definitionJson, rows, null, cancellationToken);
        return Services.GetRequiredService<RunLauncher>().NewRun(id, workflow, plan, options);
    }

    private async Task<(Guid Id, WorkflowRecord Workflow, WorkflowPlan Plan, RunOptions Options)> PrepareWebhookRunAsync(
        string definitionJson, int rows, Guid? runId, CancellationToken cancellationToken)
    {
        var id = runId ?? Guid.CreateVersion7();
        await using (var writer = await Blobs.CreateAsync(BlobKeys.Payload(id), cancellationToken))
        {
            await using (var json = new Utf8JsonWriter(writer.Stream))
            {
                json.WriteStartObject();
                json.WriteStartArray("webhook_payload");
                for (var i = 0; i < rows; i++)
                {
                    json.WriteStartObject();
                    json.WriteNumber("id", i);
                    json.WriteString("name", $"lead {i}");
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            await writer.CommitAsync(cancellationToken);
        }

        using var document = JsonDocument.Parse(definitionJson);
        var plan = Services.GetRequiredService<RunPlans>().Compile(document.RootElement, null, out var errors)
            ?? throw new InvalidOperationException($"Test definition does not validate: {string.Join("; ", errors.Select(e => e.Msg))}");
        var now = DateTimeOffset.UtcNow;
        var workflow = new WorkflowRecord("wf_compliance", "default", "compliance", "", WorkflowStatus.Active, WorkflowStep.Draft, now, now, null, 1, definitionJson);
        var options = new RunOptions
        {
            InputBlobKey = BlobKeys.Payload(id),
            ChunkSize = Services.GetRequiredService<IOptions<EngineOptions>>().Value.ChunkSize,
            EstimatedRows = rows,
        };
        return (id, workflow, plan, options);
    }

    /// <summary>Waits for the run to end (completed, failed or cancelled).</summary>
    public Task<RunRecord> WaitUntilEndedAsync(Guid runId, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        WaitForRunAsync(runId, r => r.Status.IsTerminal(), "end", cancellationToken, timeout);

    /// <summary>Polls the store until the run satisfies <paramref name="condition"/>; fails the test with the run's state when it does not in time.</summary>
    public async Task<RunRecord> WaitForRunAsync(Guid runId, Func<RunRecord, bool> condition, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var run = await Store.GetRunAsync(runId, cancellationToken) ?? throw new InvalidOperationException($"Run {runId} does not exist.");
            if (condition(run))
            {
                return run;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Run {runId} did not {what} within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s.\n{await DescribeAsync(runId, cancellationToken)}");
            }

            await Task.Delay(25, cancellationToken);
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails the test naming <paramref name="what"/> when it does not in time.</summary>
    public Task WaitUntilAsync(Func<bool> condition, string what, CancellationToken cancellationToken, TimeSpan? timeout = null) =>
        WaitUntilAsync(_ => Task.FromResult(condition()), what, cancellationToken, timeout);

    /// <summary>Polls until <paramref name="condition"/> (which may read the store) holds; fails the test naming <paramref name="what"/> when it does not in time.</summary>
    public async Task WaitUntilAsync(Func<CancellationToken, Task<bool>> condition, string what, CancellationToken cancellationToken, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? DefaultTimeout);
        while (!await condition(cancellationToken))
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.\n{Logs()}");
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>The rows of a result CSV file of the run, as column → text.</summary>
    public async Task<List<Dictionary<string, string>>> ReadResultCsvAsync(Guid runId, string fileName, CancellationToken cancellationToken)
    {
        var file = (await Store.ListResultFilesAsync(runId, cancellationToken)).SingleOrDefault(f => f.FileName == fileName);
        Assert.True(file is not null, $"Run {runId} has no result file '{fileName}'.");
        string text;
        await using (var stream = await Blobs.OpenReadAsync(file.BlobKey, cancellationToken))
        using (var reader = new StreamReader(stream, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync(cancellationToken);
        }

        var rows = new List<Dictionary<string, string>>();
        using var csv = Sep.Reader(o => o with { Unescape = true }).FromText(text);
        var columns = csv.Header.ColNames;
        foreach (var row in csv)
        {
            var values = new Dictionary<string, string>(columns.Count, StringComparer.Ordinal);
            foreach (var column in columns)
            {
                values[column] = row[column].ToString();
            }

            rows.Add(values);
        }

        return rows;
    }

    /// <summary>The run's status, blocks, units and the engine's log, for failure messages.</summary>
    public async Task<string> DescribeAsync(Guid runId, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var run = await Store.GetRunAsync(runId, cancellationToken);
        text.AppendLine($"status: {run?.Status}, source chunks: {run?.SourceChunkCount}, error: {run?.ErrorMessage}");
        foreach (var block in await Store.GetRunBlocksAsync(runId, cancellationToken))
        {
            text.AppendLine($"block {block.BlockId}: {block.Status}, chunks done {block.ChunksDone}, rows in {block.RowsIn}, out {block.RowsOut}, error {block.ErrorMessage}");
        }

        text.AppendLine($"units: {await Store.CountUnitsAsync(runId, cancellationToken)}");
        text.Append(Logs());
        return text.ToString();
    }

    private string Logs() => "engine log (last 30):\n" + string.Join('\n', _logs.Lines.TakeLast(30));

    public async ValueTask DisposeAsync()
    {
        Probe.ReleaseStuck();
        try
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }

        if (_host is IAsyncDisposable asyncHost)
        {
            await asyncHost.DisposeAsync();
        }
        else
        {
            _host.Dispose();
        }

        SqliteConnection.ClearAllPools();
        for (var attempt = 0; Directory.Exists(_directory); attempt++)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException) when (attempt < 10)
            {
                // Work that outlives the host (partial results of a cancelled run) may still be writing.
                await Task.Delay(100);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                break;
            }
        }
    }
}
