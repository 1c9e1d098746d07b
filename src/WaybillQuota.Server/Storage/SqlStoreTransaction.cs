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
            using var lockApp = Command($"SELECT 1 FROM apps WHERE appid = @appid{dialect.ForUpdate}", ("appid", appId));
            lockApp.ExecuteScalar();
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
            "VALUES (@appid, @order, @delivery, @biz, @account, @waybill, @status, @digest, @request, @created, @updated) " +
            "ON CONFLICT DO NOTHING",
            ("appid", order.AppId), ("order", order.OrderId), ("delivery", order.DeliveryId), ("biz", order.BizId),
            ("account", order.AccountId), ("waybill", order.WaybillId), ("status", (int)order.Status),
            ("digest", order.RequestDigest), ("request", order.Request), ("created", order.CreatedAt),
            ("updated", order.UpdatedAt));
        return cmd.ExecuteNonQuery() == 1;
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
