using System.Data.Common;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// Every SQL statement of the system, written once for both engines (they share the SQL subset used here:
/// <c>INSERT ... ON CONFLICT</c>, <c>RETURNING</c>, named parameters). What a statement changes is also recorded as an
/// effect on the read model, applied only once the transaction has committed.
/// </summary>
internal sealed partial class SqlStoreTransaction(PreparedCommands commands, DbTransaction transaction, SqlDialect dialect) : IStoreTransaction
{
    private readonly List<Action<StoreCache>> _effects = [];
    private readonly HashSet<string> _changedKeys = new(StringComparer.Ordinal);

    public DbConnection Connection => commands.Connection;
    public DbTransaction Transaction => transaction;
    public SqlDialect Dialect => dialect;

    /// <summary>
    /// Records a change of the read model to apply after commit. <paramref name="key"/> names the entry it changes
    /// (<see cref="StoreCache.AppKey"/> and its siblings), so that other instances on the same database evict it.
    /// </summary>
    public void OnCommit(string key, Action<StoreCache> effect)
    {
        _effects.Add(effect);
        _changedKeys.Add(key);
    }

    /// <summary>
    /// Runs just before commit: on a shared database, tells the other instances what this transaction changed. The
    /// notification is part of the transaction, so it is delivered exactly when the change becomes visible, and never
    /// for a transaction that rolls back.
    /// </summary>
    public void BeforeCommit()
    {
        if (dialect.NotifySql is null || _changedKeys.Count == 0) return;
        // Accounts are never cached where the database is shared (balances are read from it), so they need no notice.
        var keys = _changedKeys.Where(k => !k.StartsWith("c:", StringComparison.Ordinal)).ToArray();
        if (keys.Length == 0) return;
        var cmd = Command(dialect.NotifySql, ("keys", keys));
        cmd.ExecuteNonQuery();
    }

    public void ApplyEffects(StoreCache cache)
    {
        foreach (var effect in _effects) effect(cache);
        _effects.Clear();
        _changedKeys.Clear();
    }

    /// <summary>
    /// A statement of this transaction. Commands are the writer's, reused across batches, so callers do not dispose
    /// them (their readers, yes).
    /// </summary>
    public DbCommand Command(string sql, params (string Name, object? Value)[] parameters) =>
        commands.Get(transaction, sql, parameters);

    public AppRecord? GetApp(string appId)
    {
        var cmd = Command($"SELECT {SqlText.AppColumns} FROM apps WHERE appid = @appid", ("appid", appId));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadApp(reader) : null;
    }

    public void InsertApp(AppRecord app)
    {
        var cmd = Command(
            "INSERT INTO apps (appid, name, secret_hash, ip_allow_list, daily_budget, minute_limit, created_at, updated_at) " +
            "VALUES (@appid, @name, @secret_hash, @ip, @budget, @minute, @created, @created)",
            ("appid", app.AppId), ("name", app.Name), ("secret_hash", app.SecretHash),
            ("ip", string.Join(',', app.IpAllowList)), ("budget", app.DailyBudget), ("minute", app.MinuteLimit),
            ("created", app.CreatedAt));
        cmd.ExecuteNonQuery();
        OnCommit(StoreCache.AppKey(app.AppId), c => c.SetApp(app));
    }

    public void UpdateAppSecret(string appId, byte[] secretHash, long now)
    {
        var cmd = Command("UPDATE apps SET secret_hash = @hash, updated_at = @now WHERE appid = @appid",
            ("hash", secretHash), ("now", now), ("appid", appId));
        cmd.ExecuteNonQuery();
        OnCommit(StoreCache.AppKey(appId), c => c.RemoveApp(appId));
    }

    public TokenRecord? GetCurrentToken(string appId, TokenKind kind)
    {
        if (dialect.ForUpdate.Length > 0)
        {
            // Several instances: lock the app row first, in a statement of its own, so that two rotations of one app
            // serialize and the SELECT below (a new snapshot under READ COMMITTED) sees the token the other committed.
            Command($"SELECT 1 FROM apps WHERE appid = @appid{dialect.ForUpdate}", ("appid", appId)).ExecuteScalar();
        }
        var cmd = Command(
            $"SELECT {SqlText.TokenColumns} FROM tokens WHERE appid = @appid AND kind = @kind AND superseded_at IS NULL " +
            "ORDER BY issued_at DESC LIMIT 1",
            ("appid", appId), ("kind", (int)kind));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadToken(reader) : null;
    }

    public void InsertToken(TokenRecord token)
    {
        var cmd = Command(
            "INSERT INTO tokens (hash, appid, kind, nonce, issued_at, expires_at, superseded_at) " +
            "VALUES (@hash, @appid, @kind, @nonce, @issued, @expires, NULL)",
            ("hash", token.Hash), ("appid", token.AppId), ("kind", (int)token.Kind), ("nonce", token.Nonce),
            ("issued", token.IssuedAt), ("expires", token.ExpiresAt));
        cmd.ExecuteNonQuery();
        OnCommit(StoreCache.TokenKey(token.Hash), c => c.SetToken(token));
    }

    public void SupersedeToken(TokenRecord token, long at)
    {
        var cmd = Command("UPDATE tokens SET superseded_at = @at WHERE hash = @hash AND superseded_at IS NULL",
            ("at", at), ("hash", token.Hash));
        cmd.ExecuteNonQuery();
        var superseded = token with { SupersededAt = at };
        OnCommit(StoreCache.TokenKey(token.Hash), c => c.SetToken(superseded));
    }

    public long IncrementUsage(string appId, string api, long windowStart)
    {
        var cmd = Command(
            "INSERT INTO usage (appid, api, window_start, count) VALUES (@appid, @api, @window, 1) " +
            "ON CONFLICT (appid, api, window_start) DO UPDATE SET count = usage.count + 1 RETURNING count",
            ("appid", appId), ("api", api), ("window", windowStart));
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public long GetUsage(string appId, string api, long windowStart)
    {
        var cmd = Command("SELECT count FROM usage WHERE appid = @appid AND api = @api AND window_start = @window",
            ("appid", appId), ("api", api), ("window", windowStart));
        var value = cmd.ExecuteScalar();
        return value is null or DBNull ? 0 : Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture);
    }

    public AccountRecord? GetAccount(string deliveryId, string bizId)
    {
        var cmd = Command(
            $"SELECT {SqlText.AccountColumns} FROM accounts WHERE delivery_id = @delivery AND biz_id = @biz{dialect.ForUpdate}",
            ("delivery", deliveryId), ("biz", bizId));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadAccount(reader) : null;
    }

    public AccountRecord InsertAccount(string deliveryId, string bizId, string passwordHash, long now)
    {
        var cmd = Command(
            "INSERT INTO accounts (delivery_id, biz_id, password_hash, balance, last_seq, created_at, balance_updated_at) " +
            "VALUES (@delivery, @biz, @password, 0, 0, @now, @now) RETURNING id",
            ("delivery", deliveryId), ("biz", bizId), ("password", passwordHash), ("now", now));
        var id = Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        var account = new AccountRecord(id, deliveryId, bizId, passwordHash, 0, now, now);
        OnCommit(StoreCache.AccountKey(deliveryId, bizId), c => c.SetAccount(account));
        return account;
    }

    public LedgerResult ApplyLedger(long accountId, int delta, string kind, string reference, long now)
    {
        // One conditional update decides and moves the balance, so a spend costs two statements (this and the ledger
        // row), not four. Its row lock (PostgreSQL; SQLite has the single writer) serializes spends of one account
        // across instances, and under READ COMMITTED PostgreSQL re-checks "balance + delta >= 0" on the newest row
        // after waiting for that lock, so no balance is ever spent twice. The duplicate check in the same statement
        // reads the statement's snapshot: a reference committed by another instance while this one waited is caught
        // by UNIQUE (account_id, reference) instead, which fails the batch, and the writer retries each write alone.
        var spend = Command(
            "UPDATE accounts SET balance = balance + @delta, last_seq = last_seq + 1, balance_updated_at = @now " +
            "WHERE id = @id AND balance + @delta >= 0 " +
            "AND NOT EXISTS (SELECT 1 FROM ledger WHERE account_id = @id AND reference = @ref) " +
            "RETURNING delivery_id, biz_id, balance, last_seq",
            ("delta", delta), ("now", now), ("id", accountId), ("ref", reference));
        using (var reader = spend.ExecuteReader())
        {
            if (reader.Read())
            {
                var deliveryId = reader.GetString(0);
                var bizId = reader.GetString(1);
                var entry = new LedgerEntry(accountId, reader.GetInt64(3), delta, reader.GetInt32(2), kind, reference, now);
                reader.Close();
                InsertLedger(entry);
                OnCommit(StoreCache.AccountKey(deliveryId, bizId), c => c.SetBalance(deliveryId, bizId, entry.BalanceAfter, now));
                return new LedgerResult(LedgerOutcome.Applied, entry.BalanceAfter, entry);
            }
        }

        // Nothing changed: say why. This read takes no lock; it only words the refusal.
        var why = Command(
            "SELECT balance, (SELECT COUNT(*) FROM ledger WHERE account_id = @id AND reference = @ref) FROM accounts WHERE id = @id",
            ("id", accountId), ("ref", reference));
        using (var reader = why.ExecuteReader())
        {
            if (!reader.Read()) throw new InvalidOperationException($"Account {accountId} does not exist.");
            var balance = reader.GetInt32(0);
            return Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture) > 0
                ? new LedgerResult(LedgerOutcome.Duplicate, balance, null)
                : new LedgerResult(LedgerOutcome.Insufficient, balance, null);
        }
    }

    public IReadOnlyList<LedgerEntry> ConsumeMany(long accountId, IReadOnlyList<(string Reference, long At)> spends)
    {
        if (spends.Count == 0) return [];
        string deliveryId, bizId;
        int balance;
        long lastSeq;
        using (var reader = Command(
            $"SELECT delivery_id, biz_id, balance, last_seq FROM accounts WHERE id = @id{dialect.ForUpdate}", ("id", accountId)).ExecuteReader())
        {
            if (!reader.Read()) throw new InvalidOperationException($"Account {accountId} does not exist.");
            (deliveryId, bizId, balance, lastSeq) = (reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3));
        }
        var applied = Math.Min(balance, spends.Count);
        if (applied == 0) return [];

        var now = spends[applied - 1].At;
        // Conditional even under the lock: the balance can never be taken below 0, whatever read it.
        var moved = Command(
            "UPDATE accounts SET balance = balance - @n, last_seq = last_seq + @n, balance_updated_at = @now " +
            "WHERE id = @id AND balance >= @n",
            ("n", applied), ("now", now), ("id", accountId)).ExecuteNonQuery();
        if (moved != 1) throw new InvalidOperationException($"Account {accountId} changed under its row lock.");

        var entries = new LedgerEntry[applied];
        for (var i = 0; i < applied; i++)
        {
            entries[i] = new LedgerEntry(accountId, lastSeq + 1 + i, -1, balance - 1 - i, LedgerKinds.Consume, spends[i].Reference, spends[i].At);
        }
        InsertLedger(entries);
        var after = balance - applied;
        OnCommit(StoreCache.AccountKey(deliveryId, bizId), c => c.SetBalance(deliveryId, bizId, after, now));
        return entries;
    }

    private void InsertLedger(LedgerEntry[] entries)
    {
        if (!dialect.SetBased)
        {
            foreach (var entry in entries) InsertLedger(entry);
            return;
        }
        Command(
            "INSERT INTO ledger (account_id, seq, delta, balance_after, kind, reference, created_at) " +
            "SELECT account_id, seq, delta, balance_after, kind, reference, created_at FROM unnest(@id::bigint[], @seq::bigint[], " +
            "@delta::integer[], @after::integer[], @kind::text[], @ref::text[], @now::bigint[]) " +
            "AS t (account_id, seq, delta, balance_after, kind, reference, created_at)",
            ("id", Column(entries, e => e.AccountId)), ("seq", Column(entries, e => e.Seq)), ("delta", Column(entries, e => e.Delta)),
            ("after", Column(entries, e => e.BalanceAfter)), ("kind", Column(entries, e => e.Kind)),
            ("ref", Column(entries, e => e.Reference)), ("now", Column(entries, e => e.CreatedAt))).ExecuteNonQuery();
    }

    private static TColumn[] Column<TRow, TColumn>(IReadOnlyList<TRow> rows, Func<TRow, TColumn> column)
    {
        var values = new TColumn[rows.Count];
        for (var i = 0; i < values.Length; i++) values[i] = column(rows[i]);
        return values;
    }

    private void InsertLedger(LedgerEntry entry)
    {
        var cmd = Command(
            "INSERT INTO ledger (account_id, seq, delta, balance_after, kind, reference, created_at) " +
            "VALUES (@id, @seq, @delta, @after, @kind, @ref, @now)",
            ("id", entry.AccountId), ("seq", entry.Seq), ("delta", entry.Delta), ("after", entry.BalanceAfter),
            ("kind", entry.Kind), ("ref", entry.Reference), ("now", entry.CreatedAt));
        cmd.ExecuteNonQuery();
    }

    public BindingRecord? GetBinding(string appId, long accountId)
    {
        var cmd = Command(
            $"SELECT {SqlText.BindingColumns} FROM bindings b JOIN accounts a ON a.id = b.account_id " +
            "WHERE b.appid = @appid AND b.account_id = @account",
            ("appid", appId), ("account", accountId));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadBinding(reader) : null;
    }

    public void UpsertBinding(BindingRecord binding)
    {
        var cmd = Command(
            "INSERT INTO bindings (appid, account_id, status, alias, remark_content, remark_wrong_msg, created_at, updated_at) " +
            "VALUES (@appid, @account, @status, @alias, @remark, @wrong, @created, @updated) " +
            "ON CONFLICT (appid, account_id) DO UPDATE SET status = excluded.status, alias = excluded.alias, " +
            "remark_content = excluded.remark_content, remark_wrong_msg = excluded.remark_wrong_msg, updated_at = excluded.updated_at",
            ("appid", binding.AppId), ("account", binding.AccountId), ("status", (int)binding.Status),
            ("alias", binding.Alias), ("remark", binding.RemarkContent), ("wrong", binding.RemarkWrongMsg),
            ("created", binding.CreatedAt), ("updated", binding.UpdatedAt));
        cmd.ExecuteNonQuery();
        OnCommit(StoreCache.BindingKey(binding.AppId, binding.AccountId), c => c.SetBinding(binding));
    }

    public OrderRecord? GetOrder(string appId, string orderId, bool lockRow)
    {
        var cmd = Command(
            $"SELECT {SqlText.OrderColumns} FROM orders WHERE appid = @appid AND order_id = @order{(lockRow ? dialect.ForUpdate : "")}",
            ("appid", appId), ("order", orderId));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadOrder(reader) : null;
    }

    public bool TryInsertOrder(OrderRecord order)
    {
        // No conflict target: either unique key (app + order_id, carrier + waybill_id) makes this a no-op, on both engines.
        var cmd = Command(
            $"INSERT INTO orders ({SqlText.OrderColumns}) " +
            "VALUES (@appid, @order, @delivery, @biz, @account, @waybill, @status, @digest, @label, @created, @updated) " +
            "ON CONFLICT DO NOTHING",
            ("appid", order.AppId), ("order", order.OrderId), ("delivery", order.DeliveryId), ("biz", order.BizId),
            ("account", order.AccountId), ("waybill", order.WaybillId), ("status", (int)order.Status),
            ("digest", order.RequestDigest), ("label", order.Label), ("created", order.CreatedAt),
            ("updated", order.UpdatedAt));
        return cmd.ExecuteNonQuery() == 1;
    }

    public bool[] TryInsertOrders(IReadOnlyList<OrderRecord> orders)
    {
        var inserted = new bool[orders.Count];
        if (!dialect.SetBased)
        {
            for (var i = 0; i < orders.Count; i++) inserted[i] = TryInsertOrder(orders[i]);
            return inserted;
        }

        var cmd = Command(
            $"INSERT INTO orders ({SqlText.OrderColumns}) " +
            "SELECT * FROM unnest(@appid::text[], @order::text[], @delivery::text[], @biz::text[], @account::bigint[], " +
            "@waybill::text[], @status::integer[], @digest::bytea[], @label::text[], @created::bigint[], @updated::bigint[]) " +
            "ON CONFLICT DO NOTHING RETURNING appid, order_id",
            ("appid", Column(orders, o => o.AppId)), ("order", Column(orders, o => o.OrderId)),
            ("delivery", Column(orders, o => o.DeliveryId)), ("biz", Column(orders, o => o.BizId)),
            ("account", Column(orders, o => o.AccountId)), ("waybill", Column(orders, o => o.WaybillId)),
            ("status", Column(orders, o => (int)o.Status)), ("digest", Column(orders, o => o.RequestDigest)),
            ("label", Column(orders, o => o.Label)), ("created", Column(orders, o => o.CreatedAt)),
            ("updated", Column(orders, o => o.UpdatedAt)));
        var index = new Dictionary<(string, string), int>(orders.Count);
        for (var i = 0; i < orders.Count; i++) index.Add((orders[i].AppId, orders[i].OrderId), i);
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) inserted[index[(reader.GetString(0), reader.GetString(1))]] = true;
        return inserted;
    }

    public long[] NextWaybillNumbers(string deliveryId, int count)
    {
        var numbers = new long[count];
        if (dialect.SetBased)
        {
            using var reader = Command("SELECT nextval('waybill_numbers') FROM generate_series(1, @n)", ("n", count)).ExecuteReader();
            for (var i = 0; i < count && reader.Read(); i++) numbers[i] = reader.GetInt64(0);
            return numbers;
        }
        var last = Convert.ToInt64(Command(
            "INSERT INTO waybill_numbers (delivery_id, last) VALUES (@delivery, @n) " +
            "ON CONFLICT (delivery_id) DO UPDATE SET last = waybill_numbers.last + @n RETURNING last",
            ("delivery", deliveryId), ("n", count)).ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        for (var i = 0; i < count; i++) numbers[i] = last - count + 1 + i;
        return numbers;
    }

    public void DeleteOrder(string appId, string orderId)
    {
        var cmd = Command("DELETE FROM orders WHERE appid = @appid AND order_id = @order", ("appid", appId), ("order", orderId));
        cmd.ExecuteNonQuery();
    }

    public bool SetOrderStatus(string appId, string orderId, OrderStatus from, OrderStatus to, long now)
    {
        var cmd = Command(
            "UPDATE orders SET status = @to, updated_at = @now WHERE appid = @appid AND order_id = @order AND status = @from",
            ("to", (int)to), ("now", now), ("appid", appId), ("order", orderId), ("from", (int)from));
        return cmd.ExecuteNonQuery() == 1;
    }

    public IdempotencyRecord? GetIdempotency(string scope, string key)
    {
        var cmd = Command(
            "SELECT scope, idem_key, request_hash, status, response, created_at FROM idempotency WHERE scope = @scope AND idem_key = @key",
            ("scope", scope), ("key", key));
        using var reader = cmd.ExecuteReader();
        return reader.Read()
            ? new IdempotencyRecord(reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2), reader.GetInt32(3),
                reader.GetString(4), reader.GetInt64(5))
            : null;
    }

    public void InsertIdempotency(IdempotencyRecord record)
    {
        var cmd = Command(
            "INSERT INTO idempotency (scope, idem_key, request_hash, status, response, created_at) " +
            "VALUES (@scope, @key, @hash, @status, @response, @created)",
            ("scope", record.Scope), ("key", record.Key), ("hash", record.RequestHash), ("status", record.Status),
            ("response", record.Response), ("created", record.CreatedAt));
        cmd.ExecuteNonQuery();
    }

    public string? GetSetting(string key)
    {
        var cmd = Command("SELECT value FROM settings WHERE key = @key", ("key", key));
        return cmd.ExecuteScalar() as string;
    }

    public void SetSetting(string key, string value)
    {
        var cmd = Command(
            "INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            ("key", key), ("value", value));
        cmd.ExecuteNonQuery();
    }

    public string GetOrAddSetting(string key, string value)
    {
        // First writer wins, also across instances: a concurrent insert of the same key waits for the other to commit
        // and then does nothing, and the SELECT (a new statement, so a new snapshot) reads the winner's value.
        using (var insert = Command("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO NOTHING",
            ("key", key), ("value", value)))
        {
            insert.ExecuteNonQuery();
        }
        return GetSetting(key)!;
    }
}
