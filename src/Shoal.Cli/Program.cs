using Shoal.Cli.Commands;

return await ShoalCommand.Build().Parse(args).InvokeAsync().ConfigureAwait(false);
