using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.Operator;

/// <summary>Configuration section <c>Operator</c>.</summary>
public sealed class OperatorOptions
{
    public const string Section = "Operator";

    /// <summary>The operator key (Bearer) of the operator API. Default none: only a key kept by the demo seed works then.</summary>
    public string? Key { get; set; }
}

/// <summary>The keys that open the operator API, held only as hashes: the configured one and the demo's (kept in the database).</summary>
public sealed class OperatorKeys(IOptions<OperatorOptions> options)
{
    public const string SettingKey = "operator.key_hash";

    private readonly byte[]? _configured = string.IsNullOrEmpty(options.Value.Key) ? null : Secrets.Hash(options.Value.Key);
    private byte[]? _stored;

    public bool HasAny => _configured is not null || _stored is not null;

    public async Task LoadAsync(IWaybillStore store, CancellationToken cancellationToken)
    {
        var stored = await store.WriteAsync(tx => tx.GetSetting(SettingKey), cancellationToken);
        _stored = stored is null ? null : Convert.FromHexString(stored);
    }

    public void Remember(byte[] hash) => _stored = hash;

    public bool IsValid(string presented)
    {
        Span<byte> hash = stackalloc byte[32];
        Secrets.Hash(presented, hash);
        var ok = false;
        // Both are compared, in constant time, so the answer's timing does not say which key exists.
        if (_configured is not null) ok |= CryptographicOperations.FixedTimeEquals(hash, _configured);
        if (_stored is not null) ok |= CryptographicOperations.FixedTimeEquals(hash, _stored);
        return ok;
    }
}
