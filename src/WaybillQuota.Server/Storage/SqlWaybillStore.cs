using System.Data.Common;
using Microsoft.Extensions.Logging;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The engine-independent part of a store: the writer, the read model and the read queries. An engine supplies
/// connections, its dialect and how it begins a write transaction.
/// </summary>
public abstract partial class SqlWaybillStore : IWaybillStore
{
    private readonly ILogger _logger;
    private GroupCommitWriter? _writer;

    protected SqlWaybillStore(SqlDialect dialect, StoreOptions options, ILogger logger)
    {
        Dialect = dialect;
        Cache = new StoreCache(dialect.IsShared);
        Options = options;
        _logger = logger;
    }

    protected SqlDialect Dialect { get; }
    protected StoreOptions Options { get; }
    internal StoreCache Cache { get; }

    /// <summary>Transactions the writer has committed since start.</summary>
    public long Commits => _writer?.Commits ?? 0;

    /// <summary>A new open connection for reads (pooled by the provider).</summary>
    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>The writer's connection, opened synchronously on the writer's thread.</summary>
    protected abstract DbConnection OpenWriterConnection();

    protected virtual DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    /// <summary>Runs the migrations not yet applied; engines override to add locking across processes.</summary>
    protected virtual async Task MigrateAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using (var create = SqlText.Command(connection, null,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        long current;
        await using (var read = SqlText.Command(connection, null, "SELECT MAX(version) FROM schema_version"))
        {
            var value = await read.ExecuteScalarAsync(cancellationToken);
            current = value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
        }

        for (var version = (int)current + 1; version <= Dialect.Migrations.Count; version++)
        {
            await using var tx = await connection.BeginTransactionAsync(cancellationToken);
            await using (var script = SqlText.Command(connection, tx, Dialect.Migrations[version - 1]))
            {
                await script.ExecuteNonQueryAsync(cancellationToken);
            }
            await using (var mark = SqlText.Command(connection, tx, "INSERT INTO schema_version (version) VALUES (@v)", ("v", version)))
            {
                await mark.ExecuteNonQueryAsync(cancellationToken);
            }
            await tx.CommitAsync(cancellationToken);
            _logger.LogInformation("Schema migrated to version {Version} ({Engine})", version, Dialect.Name);
        }
    }

    public virtual async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await using (var connection = await OpenAsync(cancellationToken))
        {
            await MigrateAsync(connection, cancellationToken);
        }
        _writer = new GroupCommitWriter(OpenWriterConnection, BeginWrite, Dialect, Cache, _logger, Options.MaxBatch);
    }

    public Task<T> WriteAsync<T>(Func<IStoreTransaction, T> work, CancellationToken cancellationToken) =>
        Writer.EnqueueAsync(work, cancellationToken);

    public Task<TResult> WriteAsync<TItem, TResult>(BulkWrite<TItem, TResult> work, TItem item, CancellationToken cancellationToken) =>
        Writer.EnqueueAsync(work, item, cancellationToken);

    private GroupCommitWriter Writer => _writer ?? throw new InvalidOperationException("The store is not initialized.");

    public virtual ValueTask<AppRecord?> FindAppAsync(string appId, CancellationToken cancellationToken) =>
        Cache.TryGetApp(appId, out var app)
            ? ValueTask.FromResult(app)
            : LoadAsync($"SELECT {SqlText.AppColumns} FROM apps WHERE appid = @p0", SqlText.ReadApp, static (c, v) => c.StoreApp(v),
                cancellationToken, appId);

    public virtual ValueTask<TokenRecord?> FindTokenAsync(in TokenHash tokenHash, CancellationToken cancellationToken) =>
        Cache.TryGetToken(tokenHash, out var token)
            ? ValueTask.FromResult(token)
            : LoadAsync($"SELECT {SqlText.TokenColumns} FROM tokens WHERE hash = @p0", SqlText.ReadToken, static (c, v) => c.StoreToken(v),
                cancellationToken, tokenHash.ToArray());

    public virtual ValueTask<AccountRecord?> FindAccountAsync(string deliveryId, string bizId, CancellationToken cancellationToken) =>
        Cache.TryGetAccount(deliveryId, bizId, out var account)
            ? ValueTask.FromResult(account)
            : LoadAsync($"SELECT {SqlText.AccountColumns} FROM accounts WHERE delivery_id = @p0 AND biz_id = @p1",
                SqlText.ReadAccount, static (c, v) => c.SetAccount(v), cancellationToken, deliveryId, bizId);

    public virtual ValueTask<BindingRecord?> FindBindingAsync(string appId, long accountId, CancellationToken cancellationToken) =>
        Cache.TryGetBinding(appId, accountId, out var binding)
            ? ValueTask.FromResult(binding)
            : LoadAsync($"SELECT {SqlText.BindingColumns} FROM bindings b JOIN accounts a ON a.id = b.account_id " +
                "WHERE b.appid = @p0 AND b.account_id = @p1", SqlText.ReadBinding, static (c, v) => c.StoreBinding(v), cancellationToken,
                appId, accountId);

    public Task<IReadOnlyList<AppRecord>> ListAppsAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SqlText.AppColumns} FROM apps ORDER BY created_at, appid", SqlText.ReadApp, cancellationToken);

    public Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SqlText.AccountColumns} FROM accounts ORDER BY id", SqlText.ReadAccount, cancellationToken);

    public Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? appId, BindingStatus? status, CancellationToken cancellationToken)
    {
        // Filters are added to the text rather than passed as NULL parameters, which PostgreSQL cannot type.
        var where = new List<string>();
        var parameters = new List<object?>();
        if (appId is not null)
        {
            where.Add($"b.appid = @p{parameters.Count}");
            parameters.Add(appId);
        }
        if (status is not null)
        {
            where.Add($"b.status = @p{parameters.Count}");
            parameters.Add((int)status.Value);
        }
        var filter = where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where);
        return QueryAsync($"SELECT {SqlText.BindingColumns} FROM bindings b JOIN accounts a ON a.id = b.account_id{filter} " +
            "ORDER BY b.created_at, a.id", SqlText.ReadBinding, cancellationToken, [.. parameters]);
    }

    public Task<IReadOnlyList<LedgerEntry>> ReadLedgerAsync(long accountId, long afterSeq, int limit, CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SqlText.LedgerColumns} FROM ledger WHERE account_id = @p0 AND seq > @p1 ORDER BY seq LIMIT @p2",
            SqlText.ReadLedger, cancellationToken, accountId, afterSeq, limit);

    public async Task<OrderRecord?> FindOrderAsync(string appId, string orderId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync($"SELECT {SqlText.OrderColumns} FROM orders WHERE appid = @p0 AND order_id = @p1",
            SqlText.ReadOrder, cancellationToken, appId, orderId);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <summary>Runs a query on a read connection; parameters are named @p0, @p1, ... in order.</summary>
    protected async Task<IReadOnlyList<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> read,
        CancellationToken cancellationToken, params object?[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var cmd = SqlText.Command(connection, null, sql, Named(parameters));
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken)) rows.Add(read(reader));
        return rows;
    }

    private async ValueTask<T?> LoadAsync<T>(string sql, Func<DbDataReader, T> read, Action<StoreCache, T> remember,
        CancellationToken cancellationToken, params object?[] parameters) where T : class
    {
        // Taken before the read: if another instance's change arrives while it is in flight, what it read is not kept.
        var generation = Cache.Generation;
        var rows = await QueryAsync(sql, read, cancellationToken, parameters);
        if (rows.Count == 0) return null;
        Cache.Fill(rows[0], generation, remember);
        return rows[0];
    }

    private static (string, object?)[] Named(object?[] parameters)
    {
        var named = new (string, object?)[parameters.Length];
        for (var i = 0; i < parameters.Length; i++) named[i] = ($"p{i}", parameters[i]);
        return named;
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (_writer is not null) await _writer.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
