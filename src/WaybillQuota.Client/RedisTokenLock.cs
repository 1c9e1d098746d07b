using StackExchange.Redis;

namespace WaybillQuota.Client;

/// <summary>
/// <see cref="IDistributedTokenLock"/> on Redis: <c>SET key value NX PX ttl</c> to take the lock, and a script that
/// deletes the key only if it still holds this holder's value to release it, so a holder whose lock expired never
/// frees somebody else's.
/// </summary>
public sealed class RedisTokenLock : IDistributedTokenLock
{
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

    private readonly Func<CancellationToken, Task<IConnectionMultiplexer>> _connection;

    /// <summary>Uses an open connection.</summary>
    /// <param name="connection">The Redis connection, shared with the distributed cache if you like.</param>
    public RedisTokenLock(IConnectionMultiplexer connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = _ => Task.FromResult(connection);
    }

    /// <summary>Uses a connection opened on first use.</summary>
    /// <param name="connection">Returns the Redis connection.</param>
    public RedisTokenLock(Func<CancellationToken, Task<IConnectionMultiplexer>> connection)
    {
        _connection = connection ?? throw new ArgumentNullException(nameof(connection));
    }

    /// <inheritdoc />
    public async Task<IAsyncDisposable?> TryAcquireAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken)
    {
        var connection = await _connection(cancellationToken).ConfigureAwait(false);
        var database = connection.GetDatabase();
        var value = Guid.NewGuid().ToString("N");
        var taken = await database.StringSetAsync(key, value, timeToLive, When.NotExists).WaitAsync(cancellationToken).ConfigureAwait(false);
        return taken ? new Releaser(database, key, value) : null;
    }

    private sealed class Releaser(IDatabase database, RedisKey key, RedisValue value) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await database.ScriptEvaluateAsync(ReleaseScript, [key], [value]).ConfigureAwait(false);
        }
    }
}
