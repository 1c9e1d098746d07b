using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.Tokens;

/// <summary>The key stable tokens are derived from: configured, or made once and kept in the database (shared by all instances).</summary>
public sealed class TokenKey(IWaybillStore store, IOptions<TokenOptions> options)
{
    private const string SettingKey = "tokens.signing_key";
    private byte[]? _key;

    public async ValueTask<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        if (_key is not null) return _key;
        if (!string.IsNullOrEmpty(options.Value.SigningKey))
        {
            _key = Convert.FromBase64String(options.Value.SigningKey);
            return _key;
        }

        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        // Whoever writes first wins, also when several instances start at once; every instance then uses the same key.
        var stored = await store.WriteAsync(tx => tx.GetOrAddSetting(SettingKey, candidate), cancellationToken);
        _key = Convert.FromBase64String(stored);
        return _key;
    }
}
