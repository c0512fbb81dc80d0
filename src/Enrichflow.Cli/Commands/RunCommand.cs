using System.CommandLine;
using System.Globalization;
using Enrichflow.Cli.Run;
using Enrichflow.Core.Storage;

namespace Enrichflow.Cli.Commands;

/// <summary>
/// <c>enrichflow run WORKFLOW.json --input FILE --out DIR</c>: a one-shot run in this process, with a live display (or JSON
/// lines), <c>--dry-run</c> for the estimate, and Ctrl+C to cancel keeping partial files (README "One-shot runs").
/// </summary>
internal static class RunCommand
{
    public const string Name = "run";

    private const string ExitCodes = """
        Exit codes: 0 the run completed; 1 the run failed (partial files are written); 2 bad usage or input (a workflow file
        that does not parse, with its line and column; an input file that does not exist or does not read; a definition with
        errors, each named); 3 the run paused (its --max-credits or an organization budget was reached, or a provider answered
        402) and was cancelled, partial files written; 130 cancelled by Ctrl+C (SIGINT; 143 for SIGTERM), partial files written.
        """;

    public static Command Create()
    {
        var workflow = new Argument<string>("WORKFLOW") { Description = "The workflow: a create_workflow body ({workflow_name, workflow_definition}) or a bare definition ({blocks, edges}), as JSON. Its source must be read_csv." };
        var input = new Option<string>("--input", "-i") { Description = "The rows: a .csv, .json, .jsonl or .ndjson file, read like an upload (streamed).", Required = true, HelpName = "FILE" };
        var output = new Option<string>("--out", "-o") { Description = "Where result files go, named as the API's download links name them (<sequence>_<block_id>.csv, rejects.ndjson); created when missing.", Required = true, HelpName = "DIR" };
        var format = new Option<string[]>("--format")
        {
            Description = "Which files to write: csv (the default), ndjson or json; repeat or comma-separate for several. rejects.ndjson is written whenever a row was dropped.",
            HelpName = "FORMAT",
            AllowMultipleArgumentsPerToken = true,
        };
        var data = new Option<string?>("--data") { Description = "Keep the run's store and blobs in this data directory (a server can serve it later). Default: a temporary directory, deleted at the end.", HelpName = "DIR" };
        var config = CommonOptions.Config();
        var maxCredits = new Option<string?>("--max-credits") { Description = "The run's budget (docs/api.md §3 max_credits): it stops rather than spend more (exit code 3).", HelpName = "N" };
        var dryRun = new Option<bool>("--dry-run") { Description = "Print the estimate (rows and credits per block, as POST /workflows/estimate answers) and exit 0 without running." };
        var json = new Option<bool>("--json") { Description = "Machine-readable progress: one JSON object per line on stdout (also when stdout is not a terminal)." };
        var command = new Command(Name, "Run a workflow once over a file, in this process (no server), with live progress; copy its result files to --out.\n\n" + ExitCodes)
        {
            workflow, input, output, format, data, config, maxCredits, dryRun, json,
        };
        command.SetAction(async (parse, _) =>
        {
            var formats = new List<ResultFormat>();
            foreach (var value in (parse.GetValue(format) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                if (ResultFormats.Parse(value) is not { } parsed)
                {
                    await Console.Error.WriteLineAsync($"enrichflow: --format accepts csv, json and ndjson (got '{value}').");
                    return RunExitCodes.BadInput;
                }

                if (!formats.Contains(parsed))
                {
                    formats.Add(parsed);
                }
            }

            double? budget = null;
            if (parse.GetValue(maxCredits) is { } text)
            {
                if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || value < 0)
                {
                    await Console.Error.WriteLineAsync($"enrichflow: --max-credits '{text}' is not valid: give a number of credits of 0 or more.");
                    return RunExitCodes.BadInput;
                }

                budget = value;
            }

            return await OneShotRun.ExecuteAsync(new RunSettings(parse.GetValue(workflow)!, parse.GetValue(input)!, parse.GetValue(output)!, parse.GetValue(data), parse.GetValue(config),
                formats.Count > 0 ? formats : [ResultFormat.Csv], budget, parse.GetValue(dryRun), parse.GetValue(json)));
        });
        return command;
    }

    /// <summary>
    /// Invokes the command line. <c>run</c> handles SIGINT itself (it cancels the run and writes partial files, which may
    /// take longer than the two seconds System.CommandLine waits before it ends the process), and its usage errors (a
    /// missing <c>--input</c>, an unknown option) exit 2 like its other bad input; every other command as by default.
    /// </summary>
    public static async Task<int> InvokeAsync(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        if (parse.CommandResult.Command.Name != Name || !parse.CommandResult.Command.Parents.Any(p => p is RootCommand))
        {
            return await parse.InvokeAsync();
        }

        var code = await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
        return parse.Errors.Count > 0 ? RunExitCodes.BadInput : code;
    }
}
