using WaybillQuota.Cli;

return await WaybillCli.RunAsync(args, Console.Out, Console.Error, CliEnvironment.FromProcess());
