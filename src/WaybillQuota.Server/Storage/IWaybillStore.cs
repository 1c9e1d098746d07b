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

    /// <summary>
    /// Like <see cref="WriteAsync{T}"/> for writes that are cheaper together: the calls of one <paramref name="work"/>
    /// that meet in a batch run as one call with all their items (in queue order), so it can use set-based SQL, and
    /// each caller gets its own item's result once the transaction is durable. The work may run more than once, with
    /// fewer items (a failed batch is retried write by write).
    /// </summary>
    Task<TResult> WriteAsync<TItem, TResult>(BulkWrite<TItem, TResult> work, TItem item, CancellationToken cancellationToken);

    ValueTask<AppRecord?> FindAppAsync(string appId, CancellationToken cancellationToken);
    ValueTask<TokenRecord?> FindTokenAsync(in TokenHash tokenHash, CancellationToken cancellationToken);
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
/// A write that handles many items in one call: fills <paramref name="results"/>[i] with the answer to
/// <paramref name="items"/>[i], as if the items had been written one after another in that order.
/// </summary>
public delegate void BulkWrite<TItem, TResult>(IStoreTransaction tx, IReadOnlyList<TItem> items, TResult[] results);

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

    /// <summary>
    /// Spends one waybill of the account for each of <paramref name="spends"/>, in order, as far as the balance goes:
    /// one conditional update for all of them (under the account's row lock where instances share the database) and
    /// one ledger entry each. Returns the entries of the spends applied, the first ones; the rest found the balance at 0.
    /// The caller guarantees each reference is new (the order row's key does); the ledger's unique key is the backstop.
    /// </summary>
    IReadOnlyList<LedgerEntry> ConsumeMany(long accountId, IReadOnlyList<(string Reference, long At)> spends);

    BindingRecord? GetBinding(string appId, long accountId);
    void UpsertBinding(BindingRecord binding);

    /// <param name="lockRow">Lock the row for the rest of the transaction (PostgreSQL: FOR UPDATE), to change it.</param>
    OrderRecord? GetOrder(string appId, string orderId, bool lockRow);

    /// <summary>
    /// Inserts the order unless a row with its (app, order_id) or its (delivery_id, waybill_id) exists; false then, and
    /// nothing changed. On PostgreSQL a concurrent insert of the same key by another instance waits for that one to commit.
    /// </summary>
    bool TryInsertOrder(OrderRecord order);

    /// <summary>
    /// <see cref="TryInsertOrder"/> for many orders at once (their (app, order_id) keys distinct): element i says
    /// whether orders[i] was inserted.
    /// </summary>
    bool[] TryInsertOrders(IReadOnlyList<OrderRecord> orders);

    /// <summary>
    /// <paramref name="count"/> waybill numbers of the carrier never issued before by this database (nor by any
    /// instance sharing it), in increasing order where one writer owns the counter.
    /// </summary>
    long[] NextWaybillNumbers(string deliveryId, int count);

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
