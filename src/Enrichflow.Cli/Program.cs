using Enrichflow.Cli;
using Enrichflow.Cli.Commands;

var parse = EnrichflowCli.Build().Parse(args);
return await parse.InvokeAsync(RunCommand.Invocation(parse));
