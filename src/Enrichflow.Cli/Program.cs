using Enrichflow.Cli;
using Enrichflow.Cli.Commands;

return await RunCommand.InvokeAsync(EnrichflowCli.Build().Parse(args));
