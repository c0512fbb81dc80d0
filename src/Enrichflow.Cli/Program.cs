using Enrichflow.Cli;

return await EnrichflowCli.Build().Parse(args).InvokeAsync();
