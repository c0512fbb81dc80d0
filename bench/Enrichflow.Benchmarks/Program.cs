using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using BenchmarkDotNet.Running;
using Enrichflow.Benchmarks.EndToEnd;
using Enrichflow.Benchmarks.Load;
using Enrichflow.Benchmarks.Pacing;

// `e2e --rows N [--server DLL] [--work DIR]` runs the end-to-end harness; `compare --rows N` the plain loop and
// Enrichflow end to end (upload, run, download) side by side with their ratio; `baseline --rows N` the plain Sep
// loop; `pacing --rows N --rpm N --latency MIN-MAX` the rate-limit pacing run (PacingOptions lists the rest);
// `validate --blocks N` one timed validation of an N-block chain; `source [--repeat N]` the source block's read
// path in rows per CPU second;

// `load [--duration S]` many organizations' runs plus status requests against one server (LoadOptions);
// anything else goes to BenchmarkDotNet (e.g. `--filter *`).
var defaultServer = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../Enrichflow.Cli/release/enrichflow.dll"));
if (args.Length > 0 && args[0] == "validate")
{
    return Enrichflow.Benchmarks.HotPaths.ValidationBenchmarks.RunOnce(int.Parse(Option(args, "--blocks") ?? "3000", System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length > 0 && args[0] == "source")
{
    return await Enrichflow.Benchmarks.HotPaths.SourceBenchmarks.RunOnceAsync(int.Parse(Option(args, "--repeat") ?? "10", System.Globalization.CultureInfo.InvariantCulture));
}

if (args.Length > 0 && args[0] == "pacing")
{
    return await PacingBench.RunAsync(PacingOptions.Parse(args, defaultServer), CancellationToken.None);
}

if (args.Length > 0 && args[0] == "cluster")
{
    // `cluster cpu|provider --rows N [--workers 1,2,3] [--rpm N]`: bench/run-cluster.sh starts PostgreSQL and S3.
    return await Enrichflow.Benchmarks.Cluster.ClusterBench.RunAsync(
        args.Length > 1 ? args[1] : "cpu",
        long.Parse(Option(args, "--rows") ?? "1000000", System.Globalization.CultureInfo.InvariantCulture),
        [.. (Option(args, "--workers") ?? "1,2,3").Split(',').Select(w => int.Parse(w, System.Globalization.CultureInfo.InvariantCulture))],
        int.Parse(Option(args, "--rpm") ?? "1200", System.Globalization.CultureInfo.InvariantCulture),
        Option(args, "--server") ?? defaultServer,
        Option(args, "--work") ?? Path.Combine(Path.GetTempPath(), "enrichflow-cluster-bench"),
        CancellationToken.None);
}

if (args.Length > 0 && args[0] == "load")
{
    return await LoadBench.RunAsync(LoadOptions.Parse(args, defaultServer), Option(args, "--out"), CancellationToken.None);
}

if (args.Length > 0 && args[0] is "e2e" or "baseline" or "baseline-outputs" or "compare")
{
    var rows = Option(args, "--rows") is { } r ? long.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    var work = Option(args, "--work") ?? Path.Combine(Path.GetTempPath(), "enrichflow-bench");
    if (args[0] is "baseline" or "baseline-outputs")
    {
        return BaselineLoop.Run(rows, work, everyBlockOutput: args[0] == "baseline-outputs");
    }

    var server = Option(args, "--server") ?? defaultServer;
    if (args[0] == "compare")
    {
        return await EndToEndBench.CompareAsync(rows, server, work, CancellationToken.None);
    }

    var pipeline = Option(args, "--pipeline") switch
    {
        "dedupe" => EndToEndBench.DedupeDefinition,
        "join" => EndToEndBench.JoinDefinition,
        "join_inputs" => EndToEndBench.JoinInputsDefinition,
        "group_by" => EndToEndBench.GroupByDefinition,
        _ => EndToEndBench.Definition,
    };
    return await EndToEndBench.RunAsync(rows, server, work, CancellationToken.None, pipeline);
}

// In-process: the artifacts-output layout keeps BenchmarkDotNet from building its usual child project.
var config = DefaultConfig.Instance.AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, config);
return 0;

static string? Option(string[] args, string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
