namespace WaybillQuota.Server.Storage;

/// <summary>
/// The one seam of the system: SQLite and PostgreSQL really differ (one process versus many), everything above
/// this interface does not. Reads that sit on a hot path (apps, tokens, accounts, bindings) are answered from an
/// in-process read model that the store keeps current when its own writes commit; all writes go through
/// <see cref="WriteAsync{T}"/>, which gathers concurrent writes into one durable transaction (group commit).
/// </summary>
public partial interface IWaybillStore : IAsyncDisposable
{
    /// <summary>Creates or migrates the schema and starts the writer.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Runs <paramref name="work"/> inside a write transaction shared with other concurrent writes, and completes
    /// only after that transaction is durable. The work may run more than once (when another write of its batch
    /// fails, each is retried alone), so it must touch nothing but the transaction it is given.
    /// </summary>
    Task<T> WriteAsync<T>(Func<IStoreTransaction, T> work, CancellationToken cancellationToken);

    ValueTask<AppRecord?> FindAppAsync(string appId, CancellationToken cancellationToken);
    ValueTask<TokenRecord?> FindTokenAsync(ReadOnlyMemory<byte> tokenHash, CancellationToken cancellationToken);
    ValueTask<AccountRecord?> FindAccountAsync(string deliveryId, string bizId, CancellationToken cancellationToken);
    ValueTask<BindingRecord?> FindBindingAsync(string appId, long accountId, CancellationToken cancellationToken);

    Task<IReadOnlyList<AppRecord>> ListAppsAsync(CancellationToken cancellationToken);
    Task<IReadOnlyList<AccountRecord>> ListAccountsAsync(CancellationToken cancellationToken);

    /// <summary>Bindings of one app (or all apps when null), optionally of one status, oldest first.</summary>
    Task<IReadOnlyList<BindingRecord>> ListBindingsAsync(string? appId, BindingStatus? status, CancellationToken cancellationToken);

    Task<IReadOnlyList<LedgerEntry>> ReadLedgerAsync(long accountId, long afterSeq, int limit, CancellationToken cancellationToken);

    /// <summary>An order of one app, read from the database (orders are not part of the read model: no hot path reads them).</summary>
    Task<OrderRecord?> FindOrderAsync(string appId, string orderId, CancellationToken cancellationToken);
}

/// <summary>
/// The SQL primitives available inside one write transaction. Business rules live in the feature folders and
/// compose these; every statement of the system is written once, in <see cref="SqlStoreTransaction"/>.
/// </summary>
public partial interface IStoreTransaction
{
    AppRecord? GetApp(string appId);
    void InsertApp(AppRecord app);
    void UpdateAppSecret(string appId, byte[] secretHash, long now);

    /// <summary>
    /// The newest token of the app and kind that has not been superseded, if any. Where several instances share the
    /// database this first locks the app until commit, so rotations of one app serialize across instances.
    /// </summary>
    TokenRecord? GetCurrentToken(string appId, TokenKind kind);
    void InsertToken(TokenRecord token);
    void SupersedeToken(TokenRecord token, long at);

    /// <summary>Adds one call to the app's counter of <paramref name="api"/> in the window starting at <paramref name="windowStart"/> and returns the new count.</summary>
    long IncrementUsage(string appId, string api, long windowStart);
    long GetUsage(string appId, string api, long windowStart);

    AccountRecord? GetAccount(string deliveryId, string bizId);
    AccountRecord InsertAccount(string deliveryId, string bizId, string passwordHash, long now);

    /// <summary>
    /// Appends one ledger entry and moves the balance by <paramref name="delta"/>, unless the reference was applied
    /// before (<see cref="LedgerOutcome.Duplicate"/>) or the balance would go below zero (<see cref="LedgerOutcome.Insufficient"/>).
    /// </summary>
    LedgerResult ApplyLedger(long accountId, int delta, string kind, string reference, long now);

    BindingRecord? GetBinding(string appId, long accountId);
    void UpsertBinding(BindingRecord binding);

    /// <param name="lockRow">Lock the row for the rest of the transaction (PostgreSQL: FOR UPDATE), to change it.</param>
    OrderRecord? GetOrder(string appId, string orderId, bool lockRow);

    /// <summary>
    /// Inserts the order unless a row with its (app, order_id) or its (delivery_id, waybill_id) exists; false then, and
    /// nothing changed. On PostgreSQL a concurrent insert of the same key by another instance waits for that one to commit.
    /// </summary>
    bool TryInsertOrder(OrderRecord order);

    /// <summary>Removes an order inserted earlier in the same transaction (when its spend was refused).</summary>
    void DeleteOrder(string appId, string orderId);

    /// <summary>Moves the order from <paramref name="from"/> to <paramref name="to"/>; false when it was not in <paramref name="from"/>.</summary>
    bool SetOrderStatus(string appId, string orderId, OrderStatus from, OrderStatus to, long now);

    IdempotencyRecord? GetIdempotency(string scope, string key);
    void InsertIdempotency(IdempotencyRecord record);

    string? GetSetting(string key);
    void SetSetting(string key, string value);

    /// <summary>The stored value of <paramref name="key"/>, storing <paramref name="value"/> first if there is none; the first writer wins, across instances too.</summary>
    string GetOrAddSetting(string key, string value);
}
