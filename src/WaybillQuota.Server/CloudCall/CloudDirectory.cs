using System.Collections.Frozen;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.CloudCall;

/// <summary>
/// The gateway's in-memory copy of every cloud environment and function, so a cloud call costs no database round
/// trip. Writes through this instance invalidate it at once; changes made through other instances are read again
/// within <see cref="CloudCallOptions.RefreshSeconds"/>. A stale copy never grants a permission too early or keeps one
/// too long: each function record carries the instant its change comes into force, and the copy is refreshed well
/// before that instant.
/// </summary>
public sealed class CloudDirectory(IWaybillStore store, TimeProvider time, IOptions<CloudCallOptions> options) : IDisposable
{
    // Compared against when the environment is unknown, so that an unknown environment and a wrong credential
    // cost the same work and answer the same thing.
    private static readonly byte[] UnknownEnvHash = SHA256.HashData(RandomNumberGenerator.GetBytes(32));

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly long _refreshMs = Math.Min(options.Value.RefreshSeconds, options.Value.PermissionCacheSeconds) * 1000L;
    private Snapshot? _snapshot;
    private long _generation;

    private sealed record Snapshot(
        FrozenDictionary<string, CloudEnvRecord> Envs,
        FrozenDictionary<(string EnvId, string Name), CloudFunctionRecord> Functions,
        long Generation,
        long LoadedAt);

    /// <summary>Forgets the copy; the next call reads the store again. Called after every write of this instance commits.</summary>
    public void Invalidate() => Interlocked.Increment(ref _generation);

    /// <summary>
    /// The environment whose credential is <paramref name="credential"/>, or null: for an unknown environment and a
    /// wrong credential alike, after the same constant-time comparison.
    /// </summary>
    public async ValueTask<CloudEnvRecord?> AuthenticateAsync(string envId, string credential, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(cancellationToken);
        var known = snapshot.Envs.TryGetValue(envId, out var env);
        var matches = Secrets.HashMatches(credential, known ? env!.CredentialHash : UnknownEnvHash);
        return known && matches ? env : null;
    }

    /// <summary>The permissions in force now for a function; none for a function that is not registered (no config.json).</summary>
    public async ValueTask<IReadOnlyList<string>> PermissionsAsync(string envId, string functionName, CancellationToken cancellationToken)
    {
        var snapshot = await GetAsync(cancellationToken);
        return snapshot.Functions.TryGetValue((envId, functionName), out var function) ? function.PermissionsAt(time.NowMs()) : [];
    }

    private async ValueTask<Snapshot> GetAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _snapshot);
        if (IsFresh(current)) return current!;

        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = Volatile.Read(ref _snapshot);
            if (IsFresh(current)) return current!;

            // Read the generation before the store: a write that commits during the read bumps it, and this copy is
            // then thrown away by the next call instead of hiding the write.
            var generation = Interlocked.Read(ref _generation);
            var now = time.NowMs();
            var envs = await store.ListCloudEnvsAsync(cancellationToken);
            var functions = await store.ListCloudFunctionsAsync(null, cancellationToken);
            var fresh = new Snapshot(
                envs.ToFrozenDictionary(e => e.EnvId, StringComparer.Ordinal),
                functions.ToFrozenDictionary(f => (f.EnvId, f.Name)),
                generation,
                now);
            Volatile.Write(ref _snapshot, fresh);
            return fresh;
        }
        finally
        {
            _gate.Release();
        }
    }

    private bool IsFresh(Snapshot? snapshot) =>
        snapshot is not null && snapshot.Generation == Interlocked.Read(ref _generation) && time.NowMs() < snapshot.LoadedAt + _refreshMs;

    public void Dispose() => _gate.Dispose();
}
