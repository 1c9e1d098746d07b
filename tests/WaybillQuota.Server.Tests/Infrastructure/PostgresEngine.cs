using System.Diagnostics;
using Npgsql;
using WaybillQuota.Server.Tests.Infrastructure;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace WaybillQuota.Server.Tests.Infrastructure;

/// <summary>
/// PostgreSQL for the suites: a new database per test (<c>CREATE DATABASE</c> on one shared cluster, which takes tens
/// of milliseconds). The cluster is the server named by <c>WAYBILLQUOTA_TEST_POSTGRES</c> (a connection string of a
/// role that may create databases) when it is set, otherwise a throwaway cluster these tests start themselves from the
/// PostgreSQL binaries installed on the machine. With neither, a test skips, or fails under CI (<c>CI=true</c>).
/// </summary>
public sealed class PostgresEngine : IStoreEngine
{
    public static readonly PostgresEngine Instance = new();

    public string Name => "PostgreSQL";

    public async Task<IReadOnlyDictionary<string, string?>> CreateDatabaseAsync(string dataDirectory, CancellationToken cancellationToken) =>
        new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = await CreateDatabaseAsync(cancellationToken),
        };

    /// <summary>Every row of every table, in PostgreSQL's text form (BYTEA as hex), to check what is never stored.</summary>
    public async Task<string> DumpAsync(IReadOnlyDictionary<string, string?> storage, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(storage["Storage:ConnectionString"]);
        await connection.OpenAsync(cancellationToken);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) tables.Add(reader.GetString(0));
        }
        var text = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM \"{table}\" t", connection);
            await using var reader = await rows.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) text.Append(table).Append(' ').AppendLine(reader.GetString(0));
        }
        return text.ToString();
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(CancellationToken cancellationToken)
    {
        var cluster = await PostgresCluster.GetAsync(cancellationToken);
        var name = $"wq_test_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(cluster.AdminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
        cluster.Created(name);
        return new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }
}

/// <summary>
/// The cluster behind <see cref="PostgresEngine"/>, started on first use and stopped (or its test databases dropped)
/// when the test assembly ends. An xunit assembly fixture only for its end; the start is lazy, so a run of SQLite
/// tests alone never starts PostgreSQL.
/// </summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    public const string EnvironmentVariable = "WAYBILLQUOTA_TEST_POSTGRES";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresCluster? _started;
    private static string? _unavailable;

    private readonly List<string> _databases = [];
    private readonly string? _directory;
    private readonly string? _pgCtl;
    private readonly bool _asPostgresUser;

    private PostgresCluster(string adminConnectionString, string? directory = null, string? pgCtl = null, bool asPostgresUser = false)
    {
        AdminConnectionString = adminConnectionString;
        _directory = directory;
        _pgCtl = pgCtl;
        _asPostgresUser = asPostgresUser;
    }

    // The fixture instance xunit creates; the cluster itself is the static one.
    public PostgresCluster() : this("") { }

    public string AdminConnectionString { get; }

    /// <summary>Connection string to the cluster's <c>postgres</c> database as a role that may create databases.</summary>
    public static async Task<PostgresCluster> GetAsync(CancellationToken cancellationToken)
    {
        if (_started is not null) return _started;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            if (_started is not null) return _started;
            if (_unavailable is null)
            {
                try
                {
                    _started = await StartAsync(cancellationToken);
                    if (_started is not null) return _started;
                    _unavailable = $"PostgreSQL is not available: set {EnvironmentVariable} to a connection string, or install " +
                        "PostgreSQL's server binaries (Debian: apt-get install postgresql)";
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _unavailable = "Could not start a throwaway PostgreSQL cluster: " + ex.Message;
                }
            }
        }
        finally
        {
            Gate.Release();
        }

        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException(_unavailable + " (under CI a missing PostgreSQL is a failure, not a skip)");
        Assert.Skip(_unavailable);
        throw new UnreachableException();
    }

    public void Created(string database)
    {
        lock (_databases) _databases.Add(database);
    }

    private static async Task<PostgresCluster?> StartAsync(CancellationToken cancellationToken)
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured)) return new PostgresCluster(configured);

        var bin = FindBinaries();
        if (bin is null) return null;

        var asPostgresUser = Environment.UserName == "root";
        var directory = Directory.CreateTempSubdirectory("waybillquota-pg-").FullName;
        if (asPostgresUser) await RunAsync("chown", ["postgres:", directory], false, cancellationToken);
        var data = Path.Combine(directory, "data");
        await RunAsync(Path.Combine(bin, "initdb"),
            ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asPostgresUser, cancellationToken);

        var port = ServerProcess.FreePort();
        // Tests check logic, not the durability of PostgreSQL itself, so the throwaway cluster skips fsync (the
        // store still runs every transaction with synchronous_commit=on, and logs a warning about fsync).
        string[] settings =
        [
            "-c listen_addresses=127.0.0.1", $"-c port={port}", $"-c unix_socket_directories={directory}",
            "-c fsync=off", "-c full_page_writes=off", "-c max_connections=400", "-c shared_buffers=64MB",
        ];
        var pgCtl = Path.Combine(bin, "pg_ctl");
        await RunAsync(pgCtl, ["-D", data, "-o", string.Join(' ', settings), "-l", Path.Combine(directory, "server.log"), "-w", "-t", "60", "start"],
            asPostgresUser, cancellationToken);
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = "postgres",
            Database = "postgres",
            Pooling = false,
        }.ConnectionString;
        return new PostgresCluster(admin, directory, pgCtl, asPostgresUser);
    }

    /// <summary>The folder of initdb and pg_ctl: <c>pg_config --bindir</c>, else the newest /usr/lib/postgresql/*/bin.</summary>
    private static string? FindBinaries()
    {
        static bool HasServer(string? dir) => dir is not null && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));
        try
        {
            using var p = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, UseShellExecute = false });
            var dir = p?.StandardOutput.ReadToEnd().Trim();
            p?.WaitForExit();
            if (HasServer(dir)) return dir;
        }
        catch (System.ComponentModel.Win32Exception) { /* no pg_config on the PATH */ }

        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => (Dir: Path.Combine(d, "bin"), Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
            .Where(x => HasServer(x.Dir))
            .OrderByDescending(x => x.Version)
            .Select(x => x.Dir)
            .FirstOrDefault();
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgresUser, CancellationToken cancellationToken)
    {
        // initdb and postgres refuse to run as root: run them as the postgres OS user, which owns the cluster's folder.
        var psi = asPostgresUser ? new ProcessStartInfo("runuser") : new ProcessStartInfo(file);
        if (asPostgresUser)
        {
            foreach (var a in (string[])["-u", "postgres", "--", file]) psi.ArgumentList.Add(a);
        }
        foreach (var a in arguments) psi.ArgumentList.Add(a);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        psi.WorkingDirectory = Path.GetTempPath();
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} exited with {process.ExitCode}: {await stderr}{await stdout}");
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        var cluster = _started;
        if (cluster is null) return;
        _started = null;
        NpgsqlConnection.ClearAllPools();
        if (cluster._directory is null)
        {
            // Someone else's server: leave it as it was found.
            await using var connection = new NpgsqlConnection(cluster.AdminConnectionString);
            await connection.OpenAsync();
            foreach (var name in cluster._databases)
            {
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync();
            }
            return;
        }
        try
        {
            await RunAsync(cluster._pgCtl!, ["-D", Path.Combine(cluster._directory, "data"), "-m", "immediate", "-w", "stop"],
                cluster._asPostgresUser, CancellationToken.None);
        }
        finally
        {
            try { Directory.Delete(cluster._directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
