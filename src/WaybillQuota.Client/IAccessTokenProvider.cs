namespace WaybillQuota.Client;

/// <summary>
/// The access token of one app: cached, refreshed before it expires, fetched once however many callers ask at the
/// same moment, and optionally shared with other processes through a distributed cache.
/// </summary>
public interface IAccessTokenProvider
{
    /// <summary>The current token, fetching one if none is cached or the cached one is due for refresh.</summary>
    /// <param name="cancellationToken">Cancels the wait; a fetch in progress for other callers goes on.</param>
    ValueTask<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Called after the platform refused <paramref name="rejectedToken"/> (40001, 40014, 42001): discards the cached
    /// token, here and in the distributed cache, only if it is still that one (another caller may have replaced it
    /// already), and returns a fresh token. Never force-refreshes: a stable token is re-fetched normally.
    /// </summary>
    /// <param name="rejectedToken">The token the platform refused.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    ValueTask<string> RenewAsync(string rejectedToken, CancellationToken cancellationToken);
}

/// <summary>
/// A lock that several processes can take by name, used so that only one of them fetches a shared token.
/// <see cref="RedisTokenLock"/> implements it with Redis <c>SET NX PX</c>.
/// </summary>
public interface IDistributedTokenLock
{
    /// <summary>Takes the lock if nobody holds it.</summary>
    /// <param name="key">The lock's name.</param>
    /// <param name="timeToLive">After this the lock frees itself, should its holder die.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>A handle whose disposal releases the lock, or null when another holder has it.</returns>
    Task<IAsyncDisposable?> TryAcquireAsync(string key, TimeSpan timeToLive, CancellationToken cancellationToken);
}
