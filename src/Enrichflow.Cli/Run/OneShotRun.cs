using System.Runtime.InteropServices;
using System.Text.Json;
using Enrichflow.Core.Blocks;
using Enrichflow.Core.Storage;
using Enrichflow.Engine;
using Enrichflow.Engine.Estimates;
using Enrichflow.Engine.Execution;
using Enrichflow.Engine.Status;
using Enrichflow.Hosting;
using Enrichflow.Hosting.Local;
using Enrichflow.Hosting.Uploads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Enrichflow.Cli.Run;

/// <summary>
/// <c>enrichflow run</c>: one run in this process, no HTTP server. It builds the host <c>serve</c> builds (same engine,
/// store and dispatcher) on a temporary data directory (or <c>--data</c>, kept), creates the workflow with the checks of
/// <c>create_workflow</c>, stores the input as an upload, queues the run, follows its live status, and copies the result
/// files to <c>--out</c> when it ends. SIGINT cancels the run through the engine and keeps its partial files.
/// </summary>
internal static class OneShotRun
{
    /// <summary>The organization one-shot runs belong to (the one <c>serve</c> creates first), so a kept data directory serves them.</summary>
    public const string OrgId = "default";

    public static async Task<int> ExecuteAsync(RunSettings settings)
    {
        RunReport report = settings.Json || Console.IsOutputRedirected
            ? new JsonLinesReport(Console.Out)
            : new LiveReport(Spectre.Console.AnsiConsole.Console);
        using var signals = new RunSignals();

        var (file, fileProblem) = await WorkflowFile.ReadAsync(settings.WorkflowPath, signals.Token);
        if (file is null)
        {
            return await BadInputAsync(fileProblem!);
        }

        using var _ = file.Body;
        if (!File.Exists(settings.InputPath))
        {
            return await BadInputAsync($"input file '{settings.InputPath}' does not exist.");
        }

        var inputName = Path.GetFileName(settings.InputPath);
        if (!UploadFiles.IsSupported(inputName))
        {
            return await BadInputAsync($"input file '{settings.InputPath}' is not .csv, .json, .jsonl or .ndjson.");
        }

        var temporary = settings.DataDirectory is null;
        var dataDirectory = EnrichflowHost.ResolveDataDirectory(settings.DataDirectory ?? Path.Combine(Path.GetTempPath(), "enrichflow-run-" + Guid.NewGuid().ToString("N")));
        try
        {
            return await RunInAsync(settings, file, inputName, dataDirectory, temporary, report, signals);
        }
        catch (OperationCanceledException) when (signals.Token.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("enrichflow: interrupted before the run started; nothing was run.");
            return signals.ExitCode;
        }
        finally
        {
            if (temporary)
            {
                DeleteDirectory(dataDirectory);
            }
        }
    }

    private static async Task<int> RunInAsync(RunSettings settings, WorkflowFile file, string inputName, string dataDirectory, bool temporary, RunReport report, RunSignals signals)
    {
        IHost host;
        try
        {
            host = BuildHost(settings, dataDirectory, report is JsonLinesReport);
        }
        catch (Exception e) when (e is InvalidOperationException or FileNotFoundException or OptionsValidationException)
        {
            return await Commands.CommonOptions.CannotStartAsync(e.Message);
        }

        using (host)
        {
            var services = host.Services;
            if (EnrichflowHost.ConfigurationProblems(services) is { Count: > 0 } problems)
            {
                return await Commands.CommonOptions.InvalidConfigurationAsync(problems);
            }

            try
            {
                await report.StepAsync("Preparing the data directory", null, async _ =>
                {
                    await EnrichflowHost.PrepareAsync(services, signals.Token);
                    return await services.GetRequiredService<IAccountStore>().GetOrCreateOrganizationAsync(OrgId, TimeProvider.System.GetUtcNow(), signals.Token);
                });
            }
            catch (IOException e)
            {
                return await Commands.CommonOptions.CannotStartAsync(e.Message);
            }

            var created = await LocalWorkflows.CreateAsync(services, OrgId, file.Body.RootElement, signals.Token);
            foreach (var warning in created.Warnings)
            {
                await Console.Error.WriteLineAsync($"enrichflow: warning: {file.Where(warning.Loc)}: {warning.Msg}");
            }

            if (created.Workflow is not { } workflow)
            {
                return await BadInputAsync($"the workflow in '{settings.WorkflowPath}' is not valid ({created.Errors.Count} problem(s)):" + Environment.NewLine
                    + string.Join(Environment.NewLine, created.Errors.Select(e => $"  - {file.Where(e.Loc)}: {e.Msg}")));
            }

            var plans = services.GetRequiredService<RunPlans>();
            using var definition = JsonDocument.Parse(workflow.DefinitionJson);
            var basePlan = plans.Compile(definition.RootElement, null, out _)!;
            if (basePlan.Source.Compiled is not SourceBlock { InputKind: SourceInputKind.Upload })
            {
                return await BadInputAsync($"the workflow starts with {basePlan.Source.Type.Name} block '{basePlan.Source.Id}', which does not read a file; "
                    + "enrichflow run reads --input through a read_csv source (block_type \"read_csv\"; it takes .csv, .json, .jsonl and .ndjson).");
            }

            UploadRecord upload;
            try
            {
                await using var input = new FileStream(settings.InputPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
                upload = await report.StepAsync($"Reading {inputName}", input.Length,
                    progress => LocalUploads.AddAsync(services, OrgId, input, inputName, progress, signals.Token));
            }
            catch (Exception e) when (e is SourceFormatException or FormatException)
            {
                var where = e is SourceFormatException { Line: { } line } && !e.Message.Contains($"line {line}", StringComparison.OrdinalIgnoreCase) ? $" at line {line}" : "";
                return await BadInputAsync($"input file '{settings.InputPath}' cannot be read{where}: {e.Message}");
            }

            using var specsOverride = JsonSerializer.SerializeToDocument(new Dictionary<string, string> { ["resource_handle_id"] = upload.HandleId.ToString() });
            var plan = plans.Compile(definition.RootElement, specsOverride.RootElement, out var errors);
            if (plan is null)
            {
                return await BadInputAsync("the workflow is not valid with its input: " + string.Join("; ", errors.Select(e => $"{file.Where(e.Loc)}: {e.Msg}")));
            }

            var options = new RunOptions
            {
                Formats = [ResultFormat.Csv, .. settings.Formats.Where(f => f != ResultFormat.Csv)],
                InputBlobKey = upload.BlobKey,
                InputFileName = upload.FileName,
                SpecsOverride = specsOverride.RootElement.Clone(),
                MaxCredits = settings.MaxCredits,
                ChunkSize = services.GetRequiredService<IOptions<EngineOptions>>().Value.ChunkSize,
                EstimatedRows = await UploadFiles.EstimateRowsAsync(services.GetRequiredService<IBlobStore>(), upload, signals.Token),
            };

            if (settings.DryRun)
            {
                var estimate = await report.StepAsync("Estimating", null,
                    _ => services.GetRequiredService<WorkflowEstimator>().EstimateAsync(OrgId, workflow.Id, plan, options, signals.Token));
                report.Estimate(estimate, settings.InputPath);
                return RunExitCodes.Completed;
            }

            await host.StartAsync(signals.Token);
            try
            {
                return await FollowAsync(services, settings, workflow, plan, options, dataDirectory, temporary, report, signals);
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        }
    }

    private static async Task<int> FollowAsync(
        IServiceProvider services, RunSettings settings, WorkflowRecord workflow, Core.Definitions.WorkflowPlan plan, RunOptions options,
        string dataDirectory, bool temporary, RunReport report, RunSignals signals)
    {
        var runId = Guid.CreateVersion7();
        var ended = services.GetRequiredService<RunEndSignal>().EndOf(runId);
        var coordinator = services.GetRequiredService<RunCoordinator>();
        var runs = services.GetRequiredService<IRunStore>();
        var reader = services.GetRequiredService<LiveStatusReader>();
        await services.GetRequiredService<RunLauncher>().QueueAsync(runId, workflow, plan, options, CancellationToken.None);
        report.Started(runId, workflow.Id, settings.InputPath, options.EstimatedRows);

        // From here a signal cancels the run (once), and the run's end is awaited whatever comes.
        var paused = false;
        var cancel = new Lazy<Task>(() =>
        {
            report.Cancelling(paused
                ? "The run paused (its budget was reached or a provider answered 402) and nobody can resume it here: cancelling it; finished work is kept."
                : "Interrupted: cancelling the run; finished work is kept.");
            return coordinator.CancelAsync(runId, CancellationToken.None);
        });
        using var onSignal = signals.Token.Register(() => _ = cancel.Value);

        async Task<RunProgress> ReadAsync(CancellationToken cancellationToken)
        {
            var run = (await runs.GetRunAsync(runId, cancellationToken))!;
            var progress = RunProgress.From(await reader.ReadAsync(run, cancellationToken), run.QueuedAt, TimeProvider.System.GetUtcNow());
            if (run.Status == RunStatus.Paused && !paused)
            {
                // Nobody is there to resume it (a budget reached, a provider's 402): it ends here, keeping its files.
                paused = true;
                _ = cancel.Value;
            }

            return progress;
        }

        await report.FollowAsync(ReadAsync, ended, CancellationToken.None);
        var final = await ended;
        var last = await ReadAsync(CancellationToken.None);
        var files = await report.StepAsync($"Writing files to {settings.OutDirectory}", null,
            _ => ResultCopy.CopyAsync(services, final, plan, settings.Formats, settings.OutDirectory, CancellationToken.None));

        var (name, code) = final.Status switch
        {
            RunStatus.Completed => ("completed", RunExitCodes.Completed),
            RunStatus.Failed => ("failed", RunExitCodes.Failed),
            _ when signals.Token.IsCancellationRequested => ("cancelled", signals.ExitCode),
            _ when paused => ("cancelled", RunExitCodes.Paused),
            _ => ("cancelled", RunExitCodes.Failed),
        };
        report.Ended(new RunOutcome(name, code, last, Path.GetFullPath(settings.OutDirectory), files, temporary ? null : dataDirectory));
        return code;
    }

    private static IHost BuildHost(RunSettings settings, string dataDirectory, bool logToStderr)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory, DisableDefaults = true });
        EnrichflowHost.Configure(builder.Configuration, dataDirectory, settings.ConfigFile, new Dictionary<string, string?> { ["Dispatch:RunWorker"] = "true" });
        builder.Logging.ClearProviders();
        if (logToStderr)
        {
            // Warnings and errors on stderr, so stdout holds only the JSON lines; the live display shows the run's errors itself.
            builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
            builder.Logging.AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(null, LogLevel.Warning);
            builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        }

        builder.Services.AddEnrichflow(builder.Configuration, dataDirectory);
        RunEndSignal.AddTo(builder.Services);
        // Signals are this command's (a SIGINT cancels the run), not the host's: it stops when the run's files are written.
        builder.Services.AddSingleton<IHostLifetime, InProcessLifetime>();
        return builder.Build();
    }

    private static async Task<int> BadInputAsync(string problem)
    {
        await Console.Error.WriteLineAsync($"enrichflow: {problem}");
        return RunExitCodes.BadInput;
    }

    private static void DeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"enrichflow: could not delete the temporary data directory {directory}: {e.Message}");
        }
    }

    /// <summary>A lifetime that waits for no signal: the command decides when the host stops.</summary>
    private sealed class InProcessLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>SIGINT and SIGTERM as a token: the first cancels it (the run is cancelled); a second one ends the process at once.</summary>
    private sealed class RunSignals : IDisposable
    {
        private readonly CancellationTokenSource _source = new();
        private readonly PosixSignalRegistration _sigint;
        private readonly PosixSignalRegistration _sigterm;
        private int _signal;

        public RunSignals()
        {
            _sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
            _sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        }

        public CancellationToken Token => _source.Token;

        public int ExitCode => _signal == (int)PosixSignal.SIGTERM ? RunExitCodes.Terminated : RunExitCodes.Interrupted;

        private void OnSignal(PosixSignalContext context)
        {
            if (Interlocked.CompareExchange(ref _signal, (int)context.Signal, 0) != 0)
            {
                return; // a second signal: the default action ends the process
            }

            context.Cancel = true;
            // Off the signal's thread: what the token's callbacks do (cancel the run, report it) may wait on output.
            _ = Task.Run(_source.Cancel);
        }

        public void Dispose()
        {
            _sigint.Dispose();
            _sigterm.Dispose();
            _source.Dispose();
        }
    }
}
