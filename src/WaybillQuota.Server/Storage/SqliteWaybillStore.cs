using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The embedded default: one file, WAL, <c>synchronous=FULL</c> (an acknowledged write survives a crash). One
/// process owns the file, so its read model is complete: after a commit it knows every change.
/// </summary>
public sealed class SqliteWaybillStore : SqlWaybillStore
{
    public static readonly SqlDialect SqliteDialect = new("SQLite", "", [SqliteSchema.V1, SqliteSchema.V2, SqliteSchema.V3, SqliteSchema.V4], ReuseCommands: true);

    private readonly string _connectionString;

    public SqliteWaybillStore(StoreOptions options, ILogger<SqliteWaybillStore> logger)
        : base(SqliteDialect, options, logger)
    {
        var path = Path.GetFullPath(options.SqlitePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        DatabasePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    public string DatabasePath { get; }

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override DbConnection OpenWriterConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Pragmas(connection);
        return connection;
    }

    protected override DbTransaction BeginWrite(DbConnection connection) =>
        ((SqliteConnection)connection).BeginTransaction(deferred: false);

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            // journal_mode is stored in the file; synchronous is per connection (set again on the writer's).
            Pragmas((SqliteConnection)connection);
        }
        await base.InitializeAsync(cancellationToken);
    }

    private static void Pragmas(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";
        cmd.ExecuteNonQuery();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
    }
}
