namespace WaybillQuota.Server.Tests.Infrastructure;

/// <summary>
/// A storage engine the suites run on. Each test gets a database of its own; suites are written once, as abstract
/// classes, and run on every engine by one small derived class per engine.
/// </summary>
public interface IStoreEngine
{
    string Name { get; }

    /// <summary>Configuration (keys of the <c>Storage</c> section) of a new, empty database for one test.</summary>
    Task<IReadOnlyDictionary<string, string?>> CreateDatabaseAsync(string dataDirectory, CancellationToken cancellationToken);

    /// <summary>Everything the database holds, as text, to check what is never stored (tokens, secrets).</summary>
    Task<string> DumpAsync(IReadOnlyDictionary<string, string?> storage, CancellationToken cancellationToken);
}

public sealed class SqliteEngine : IStoreEngine
{
    public static readonly SqliteEngine Instance = new();

    public string Name => "SQLite";

    public Task<IReadOnlyDictionary<string, string?>> CreateDatabaseAsync(string dataDirectory, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite",
            ["Storage:SqlitePath"] = Path.Combine(dataDirectory, "waybillquota.db"),
        });

    /// <summary>The raw bytes of the database file and its WAL, read as Latin-1 so any stored ASCII shows.</summary>
    public async Task<string> DumpAsync(IReadOnlyDictionary<string, string?> storage, CancellationToken cancellationToken)
    {
        var path = storage["Storage:SqlitePath"]!;
        var text = new System.Text.StringBuilder();
        foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
        {
            await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream, System.Text.Encoding.Latin1);
            text.Append(await reader.ReadToEndAsync(cancellationToken));
        }
        return text.ToString();
    }
}

/// <summary>Base of the suites that run on every engine.</summary>
public abstract class EngineTests
{
    protected abstract IStoreEngine Engine { get; }

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected Task<ServerHost> StartAsync(Action<ServerHostOptions>? configure = null)
    {
        var options = new ServerHostOptions { Engine = Engine };
        configure?.Invoke(options);
        return ServerHost.StartAsync(options, Ct);
    }
}
