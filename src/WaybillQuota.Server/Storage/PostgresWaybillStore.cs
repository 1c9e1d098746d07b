using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The engine for more than one process: any number of server instances on one PostgreSQL database.
/// <list type="bullet">
/// <item>Writes: each instance has its own group-commit writer; what must not race across instances is decided in the
/// database under row locks (<c>FOR NO KEY UPDATE</c>) at READ COMMITTED, and the unique keys catch the rest.</item>
/// <item>Durability: every connection runs with <c>synchronous_commit=on</c>, whatever the server's default, so an
/// acknowledged write is flushed to PostgreSQL's WAL.</item>
/// <item>Read model: balances are always read from the database; apps, tokens and bindings are cached and evicted by
/// <c>NOTIFY</c>, sent inside each writing transaction, that one listener connection per instance receives.</item>
/// <item>Schema: created and migrated on start under an advisory lock, so instances may start at once.</item>
/// </list>
/// </summary>
public sealed class PostgresWaybillStore : SqlWaybillStore
{
    /// <summary>The channel of read-model invalidations.</summary>
    public const string Channel = "waybillquota_cache";

    /// <summary>The application_name of each instance's listener connection (to find it in pg_stat_activity).</summary>
    public const string ListenerApplicationName = "waybillquota-listener";

    // pg_advisory_lock key of the migrations: any constant that no other application on the database uses.
    private const long MigrationLockKey = 0x5761_7962_696C_6C51; // "WaybillQ"

    public static readonly SqlDialect PostgresDialect = new("PostgreSQL", " FOR NO KEY UPDATE", [PostgresSchema.V1, PostgresSchema.V2, PostgresSchema.V3, PostgresSchema.V4],
        $"SELECT pg_notify('{Channel}', k) FROM unnest(@keys) AS k", SetBased: true);

    private readonly NpgsqlDataSource _dataSource;
    private readonly NpgsqlDataSource _listenerSource;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _listener;

    public PostgresWaybillStore(StoreOptions options, ILogger<PostgresWaybillStore> logger)
        : base(PostgresDialect, options, logger)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
            throw new InvalidOperationException("Storage:ConnectionString is required when Storage:Provider is Postgres.");
        _logger = logger;

        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        // Durability is not left to the server's or the role's default: an acknowledged write must survive a crash.
        builder.Options = $"{builder.Options} -c synchronous_commit=on".Trim();
        builder.ApplicationName ??= "waybillquota";
        _dataSource = NpgsqlDataSource.Create(builder.ConnectionString);

        // The listener holds its connection for the life of the process; keepalives notice a dead one, after which
        // the cache is distrusted until the listener is back.
        var listener = new NpgsqlConnectionStringBuilder(builder.ConnectionString)
        {
            ApplicationName = ListenerApplicationName,
            Pooling = false,
            KeepAlive = 5,
        };
        _listenerSource = NpgsqlDataSource.Create(listener.ConnectionString);
    }

    /// <summary>The listener is connected and the read model is in use (for tests).</summary>
    public bool IsListening => Cache.IsTrusted;

    /// <summary>Times the listener has connected and started from an empty cache (for tests).</summary>
    public int ListenerConnects => Volatile.Read(ref _listenerConnects);

    private int _listenerConnects;

    protected override async ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override DbConnection OpenWriterConnection() => _dataSource.OpenConnection();

    protected override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction(IsolationLevel.ReadCommitted);

    protected override async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        // A session lock: held across the migrations' own transactions, released by unlock or when the connection dies.
        await using (var lockCmd = SqlText.Command(connection, null, "SELECT pg_advisory_lock(@key)", ("key", MigrationLockKey)))
        {
            await lockCmd.ExecuteNonQueryAsync(cancellationToken);
        }
        try
        {
            await base.MigrateAsync(connection, cancellationToken);
        }
        finally
        {
            await using var unlock = SqlText.Command(connection, null, "SELECT pg_advisory_unlock(@key)", ("key", MigrationLockKey));
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    public override async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await CheckDurabilityAsync(connection, cancellationToken);
        }
        await base.InitializeAsync(cancellationToken);

        // Listen before anything is cached: the cache answers nothing until the first LISTEN is in place.
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _listener = Task.Run(() => ListenAsync(ready, _stopping.Token), CancellationToken.None);
        await ready.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
    }

    private async Task CheckDurabilityAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var cmd = SqlText.Command(connection, null,
            "SELECT current_setting('synchronous_commit'), current_setting('fsync')");
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var synchronousCommit = reader.GetString(0);
        var fsync = reader.GetString(1);
        if (synchronousCommit != "on")
            throw new InvalidOperationException($"synchronous_commit is '{synchronousCommit}' on this connection; it must be 'on'.");
        if (fsync != "on")
            _logger.LogWarning("The PostgreSQL server runs with fsync={Fsync}: acknowledged writes may be lost if its machine crashes", fsync);
    }

    /// <summary>
    /// One connection per instance, LISTENing on <see cref="Channel"/>: each notification evicts one key. A lost
    /// connection may have missed notifications, so the cache stops answering at once, and starts again, empty, only
    /// once LISTEN is back.
    /// </summary>
    private async Task ListenAsync(TaskCompletionSource ready, CancellationToken stopping)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _listenerSource.OpenConnectionAsync(stopping);
                connection.Notification += (_, e) => Cache.Invalidate(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }
                Cache.Trust();
                Interlocked.Increment(ref _listenerConnects);
                ready.TrySetResult();
                delay = TimeSpan.FromMilliseconds(100);
                _logger.LogDebug("Listening for read-model invalidations on {Channel}", Channel);
                while (true) await connection.WaitAsync(stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                Cache.Distrust();
                _logger.LogWarning(ex, "The read-model listener lost its connection; reading from the database until it is back");
                try { await Task.Delay(delay, stopping); }
                catch (OperationCanceledException) { break; }
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _stopping.CancelAsync();
        if (_listener is not null)
        {
            try { await _listener; }
            catch (OperationCanceledException) { }
        }
        _stopping.Dispose();
        await _dataSource.DisposeAsync();
        await _listenerSource.DisposeAsync();
    }
}
