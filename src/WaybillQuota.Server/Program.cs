using WaybillQuota.Server;

var app = ServerSetup.Build(args);
await app.RunAsync();

/// <summary>The entry point, visible to tests that host the server.</summary>
public partial class Program;
