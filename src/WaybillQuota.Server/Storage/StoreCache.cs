using System.Collections.Concurrent;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The in-process read model: what the hot paths read instead of the database.
/// <para>
/// Local mode (SQLite: this process is the only writer): entries are filled on a miss and replaced by the writer after
/// each commit, so they never run ahead of what is durable and never fall behind it.
/// </para>
/// <para>
/// Shared mode (PostgreSQL: other processes write the same database): a commit anywhere evicts the keys it changed,
/// through a notification every instance receives (<see cref="Invalidate"/>); the writer's own effects evict too rather
/// than set, so that an entry is only ever filled from a read of the database. Accounts are not cached at all, so a
/// balance is always the committed one. Fills are dropped when an invalidation arrived while their read was in
/// flight (<see cref="Generation"/>), and the cache answers nothing while no listener is connected
/// (<see cref="IsTrusted"/>), because notifications sent then are lost.
/// </para>
/// </summary>
internal sealed class StoreCache
{
    private readonly ConcurrentDictionary<string, AppRecord> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<TokenHash, TokenRecord> _tokens = new();
    private readonly ConcurrentDictionary<(string DeliveryId, string BizId), AccountRecord> _accounts = new();
    private readonly ConcurrentDictionary<(string AppId, long AccountId), BindingRecord> _bindings = new();

    // Shared mode: fills and invalidations take this lock, so a fill checks the generation and stores atomically.
    private readonly Lock _fillLock = new();
    private long _generation;
    private volatile bool _trusted;

    public StoreCache(bool shared = false)
    {
        IsShared = shared;
        _trusted = !shared;
    }

    /// <summary>Other processes write the same database (see the class remarks).</summary>
    public bool IsShared { get; }

    /// <summary>False while a shared cache may have missed an invalidation: lookups then miss, and fills are dropped.</summary>
    public bool IsTrusted => _trusted;

    /// <summary>Counts invalidations; a fill that started before the latest one is not stored.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    // ---- invalidation keys: the payload of a change notification ----

    public static string AppKey(string appId) => "a:" + appId;
    public static string TokenKey(ReadOnlySpan<byte> hash) => "t:" + Convert.ToHexString(hash);
    public static string AccountKey(string deliveryId, string bizId) => $"c:{deliveryId.Length}:{deliveryId}{bizId}";
    public static string BindingKey(string appId, long accountId) =>
        "b:" + accountId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ":" + appId;

    /// <summary>Evicts the entry an invalidation key names (an unknown key clears everything, to be safe).</summary>
    public void Invalidate(string key)
    {
        lock (_fillLock)
        {
            _generation++;
            if (!Evict(key)) ClearEntries();
        }
    }

    /// <summary>A shared cache stops answering (the listener lost its connection) until <see cref="Trust"/>.</summary>
    public void Distrust()
    {
        lock (_fillLock)
        {
            _trusted = false;
            _generation++;
            ClearEntries();
        }
    }

    /// <summary>The listener is connected again: start from empty, since what happened meanwhile is unknown.</summary>
    public void Trust()
    {
        lock (_fillLock)
        {
            _generation++;
            ClearEntries();
            _trusted = true;
        }
    }

    private bool Evict(string key)
    {
        if (key.Length < 2 || key[1] != ':') return false;
        var rest = key.AsSpan(2);
        switch (key[0])
        {
            case 'a':
                _apps.TryRemove(rest.ToString(), out _);
                return true;
            case 't':
                if (!TokenHash.TryParseHex(rest, out var hash)) return false;
                _tokens.TryRemove(hash, out _);
                return true;
            case 'c':
                var colon = rest.IndexOf(':');
                if (colon < 0 || !int.TryParse(rest[..colon], out var length) || length > rest.Length - colon - 1) return false;
                var ids = rest[(colon + 1)..];
                _accounts.TryRemove((ids[..length].ToString(), ids[length..].ToString()), out _);
                return true;
            case 'b':
                var sep = rest.IndexOf(':');
                if (sep < 0 || !long.TryParse(rest[..sep], out var accountId)) return false;
                _bindings.TryRemove((rest[(sep + 1)..].ToString(), accountId), out _);
                return true;
            default:
                return false;
        }
    }

    // ---- fills after a read of the database ----

    /// <summary>Stores what a read found, unless an invalidation arrived since <paramref name="generation"/> was taken.</summary>
    public void Fill<T>(T value, long generation, Action<StoreCache, T> store)
    {
        if (!IsShared)
        {
            store(this, value);
            return;
        }
        lock (_fillLock)
        {
            if (_trusted && _generation == generation) store(this, value);
        }
    }

    // ---- lookups and the writer's effects ----

    public bool TryGetApp(string appId, out AppRecord? app)
    {
        if (_trusted) return _apps.TryGetValue(appId, out app);
        app = null;
        return false;
    }

    public void SetApp(AppRecord app)
    {
        if (IsShared) _apps.TryRemove(app.AppId, out _);
        else _apps[app.AppId] = app;
    }

    public void RemoveApp(string appId) => _apps.TryRemove(appId, out _);
    internal void StoreApp(AppRecord app) => _apps[app.AppId] = app;

    public bool TryGetToken(in TokenHash hash, out TokenRecord? token)
    {
        if (_trusted) return _tokens.TryGetValue(hash, out token);
        token = null;
        return false;
    }

    public void SetToken(TokenRecord token)
    {
        if (IsShared) RemoveToken(token.Hash);
        else StoreToken(token);
    }

    public void RemoveToken(ReadOnlySpan<byte> hash) => _tokens.TryRemove(TokenHash.From(hash), out _);
    internal void StoreToken(TokenRecord token) => _tokens[TokenHash.From(token.Hash)] = token;

    public bool TryGetAccount(string deliveryId, string bizId, out AccountRecord? account)
    {
        account = null;
        // Shared mode never caches accounts: the balance must be the committed one, whoever committed it.
        return !IsShared && _accounts.TryGetValue((deliveryId, bizId), out account);
    }

    public void SetAccount(AccountRecord account)
    {
        if (!IsShared) _accounts[(account.DeliveryId, account.BizId)] = account;
    }

    public void RemoveAccount(string deliveryId, string bizId) => _accounts.TryRemove((deliveryId, bizId), out _);

    /// <summary>Moves a cached account's balance; an account not cached is loaded fresh on its next read.</summary>
    public void SetBalance(string deliveryId, string bizId, int balance, long at)
    {
        if (_accounts.TryGetValue((deliveryId, bizId), out var account))
        {
            _accounts[(deliveryId, bizId)] = account with { Balance = balance, BalanceUpdatedAt = at };
        }
    }

    public bool TryGetBinding(string appId, long accountId, out BindingRecord? binding)
    {
        if (_trusted) return _bindings.TryGetValue((appId, accountId), out binding);
        binding = null;
        return false;
    }

    public void SetBinding(BindingRecord binding)
    {
        if (IsShared) _bindings.TryRemove((binding.AppId, binding.AccountId), out _);
        else StoreBinding(binding);
    }

    public void RemoveBinding(string appId, long accountId) => _bindings.TryRemove((appId, accountId), out _);
    internal void StoreBinding(BindingRecord binding) => _bindings[(binding.AppId, binding.AccountId)] = binding;

    /// <summary>Entries currently held (for tests).</summary>
    public int Count => _apps.Count + _tokens.Count + _accounts.Count + _bindings.Count;

    public void Clear()
    {
        lock (_fillLock)
        {
            _generation++;
            ClearEntries();
        }
    }

    private void ClearEntries()
    {
        _apps.Clear();
        _tokens.Clear();
        _accounts.Clear();
        _bindings.Clear();
    }
}
