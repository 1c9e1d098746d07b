using System.Collections.Concurrent;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The in-process read model: what the hot paths read instead of the database. Entries are filled on a miss and
/// replaced by the writer after each commit, so they never run ahead of what is durable.
/// </summary>
internal sealed class StoreCache
{
    private readonly ConcurrentDictionary<string, AppRecord> _apps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TokenRecord> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string DeliveryId, string BizId), AccountRecord> _accounts = new();
    private readonly ConcurrentDictionary<(string AppId, long AccountId), BindingRecord> _bindings = new();

    // Token hashes are keyed by their hex text; the alternate lookup finds them from a stack buffer without allocating.
    private readonly ConcurrentDictionary<string, TokenRecord>.AlternateLookup<ReadOnlySpan<char>> _tokensBySpan;

    public StoreCache() => _tokensBySpan = _tokens.GetAlternateLookup<ReadOnlySpan<char>>();

    public bool TryGetApp(string appId, out AppRecord? app) => _apps.TryGetValue(appId, out app);
    public void SetApp(AppRecord app) => _apps[app.AppId] = app;
    public void RemoveApp(string appId) => _apps.TryRemove(appId, out _);

    public bool TryGetToken(ReadOnlySpan<byte> hash, out TokenRecord? token)
    {
        Span<char> hex = stackalloc char[hash.Length * 2];
        Convert.TryToHexString(hash, hex, out _);
        return _tokensBySpan.TryGetValue(hex, out token);
    }

    public void SetToken(TokenRecord token) => _tokens[Convert.ToHexString(token.Hash)] = token;
    public void RemoveToken(ReadOnlySpan<byte> hash) => _tokens.TryRemove(Convert.ToHexString(hash), out _);

    public bool TryGetAccount(string deliveryId, string bizId, out AccountRecord? account) =>
        _accounts.TryGetValue((deliveryId, bizId), out account);

    public void SetAccount(AccountRecord account) => _accounts[(account.DeliveryId, account.BizId)] = account;
    public void RemoveAccount(string deliveryId, string bizId) => _accounts.TryRemove((deliveryId, bizId), out _);

    /// <summary>Moves a cached account's balance; an account not cached is loaded fresh on its next read.</summary>
    public void SetBalance(string deliveryId, string bizId, int balance, long at)
    {
        if (_accounts.TryGetValue((deliveryId, bizId), out var account))
        {
            _accounts[(deliveryId, bizId)] = account with { Balance = balance, BalanceUpdatedAt = at };
        }
    }

    public bool TryGetBinding(string appId, long accountId, out BindingRecord? binding) =>
        _bindings.TryGetValue((appId, accountId), out binding);

    public void SetBinding(BindingRecord binding) => _bindings[(binding.AppId, binding.AccountId)] = binding;
    public void RemoveBinding(string appId, long accountId) => _bindings.TryRemove((appId, accountId), out _);

    public void Clear()
    {
        _apps.Clear();
        _tokens.Clear();
        _accounts.Clear();
        _bindings.Clear();
    }
}
