using System.CommandLine;
using Enrichflow.Cli.Commands;
using Enrichflow.Cli.Remote;

namespace Enrichflow.Cli;

/// <summary>The <c>enrichflow</c> command line: serve, worker, migrate, keys, orgs, run, and workflows, runs, notebooks against a server.</summary>
public static class EnrichflowCli
{
    public static RootCommand Build() => new("Enrichflow: a self-hosted engine for batch data-enrichment workflows that speaks Sixtyfour's Workflows API.")
    {
        ServeCommand.Create(),
        WorkerCommand.Create(),
        MigrateCommand.Create(),
        KeysCommand.Create(),
        OrgsCommand.Create(),
        WorkflowsCommand.Create(),
        RunsCommand.Create(),
        NotebooksCommand.Create(),
        RunCommand.Create(),
    };
}
