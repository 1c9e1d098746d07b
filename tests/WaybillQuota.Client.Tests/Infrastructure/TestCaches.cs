using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;

namespace WaybillQuota.Client.Tests.Infrastructure;

/// <summary>A dictionary as a distributed cache, counting removals (expiry is ignored: tests control it).</summary>
internal sealed class DictionaryCache : IDistributedCache
{
    public ConcurrentDictionary<string, byte[]> Entries { get; } = new();

    public int Removals;

    public byte[]? Get(string key) => Entries.TryGetValue(key, out var v) ? v : null;

    public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult(Get(key));

    public void Refresh(string key) { }

    public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

    public void Remove(string key)
    {
        Interlocked.Increment(ref Removals);
        Entries.TryRemove(key, out _);
    }

    public Task RemoveAsync(string key, CancellationToken token = default)
    {
        Remove(key);
        return Task.CompletedTask;
    }

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => Entries[key] = value;

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default)
    {
        Set(key, value, options);
        return Task.CompletedTask;
    }
}

/// <summary>An in-process <see cref="IDistributedTokenLock"/>.</summary>
internal sealed class InProcessTokenLock : IDistributedTokenLock
{
    private readonly ConcurrentDictionary<string, byte> _held = new();

    public int Acquisitions;

    public Task<IAsyncDisposable?> TryAcquireAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        if (!_held.TryAdd(key, 0)) return Task.FromResult<IAsyncDisposable?>(null);
        Interlocked.Increment(ref Acquisitions);
        return Task.FromResult<IAsyncDisposable?>(new Release(() => _held.TryRemove(key, out _)));
    }

    private sealed class Release(Action release) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            release();
            return ValueTask.CompletedTask;
        }
    }
}
