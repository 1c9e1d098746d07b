using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client;

/// <summary>
/// The token of one app. Callers share one cached token; when it is due, the first caller fetches and the others
/// wait for that fetch (single flight, per process through a semaphore and, with a distributed cache and lock,
/// across processes). Times come from <see cref="TimeProvider"/>.
/// </summary>
internal sealed class AccessTokenProvider : IAccessTokenProvider, IDisposable
{
    private readonly Func<CancellationToken, Task<AccessTokenResponse>> _fetch;
    private readonly WaybillQuotaClientOptions _options;
    private readonly TimeProvider _time;
    private readonly IDistributedCache? _cache;
    private readonly IDistributedTokenLock? _lock;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly string _cacheKey;
    private readonly string _lockKey;
    private volatile CachedToken? _current;

    public AccessTokenProvider(Func<CancellationToken, Task<AccessTokenResponse>> fetch, WaybillQuotaClientOptions options,
        TimeProvider? timeProvider = null, IDistributedCache? cache = null, IDistributedTokenLock? distributedLock = null,
        ILogger? logger = null)
    {
        _fetch = fetch;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
        _cache = cache;
        _lock = cache is null ? null : distributedLock;
        _logger = logger ?? NullLogger.Instance;
        var mode = options.TokenMode == TokenMode.Classic ? "classic" : "stable";
        _cacheKey = $"{options.TokenCacheKeyPrefix}{options.AppId}:{mode}:{options.BaseAddress.Authority}";
        _lockKey = _cacheKey + ":lock";
    }

    internal string CacheKey => _cacheKey;

    public ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && _time.GetUtcNow() < current.RefreshAt) return ValueTask.FromResult(current.AccessToken);
        return new ValueTask<string>(RefreshAsync(rejected: null, cancellationToken));
    }

    public ValueTask<string> RenewAsync(string rejectedToken, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rejectedToken);
        return new ValueTask<string>(RefreshAsync(rejectedToken, cancellationToken));
    }

    public void Dispose() => _gate.Dispose();

    private async Task<string> RefreshAsync(string? rejected, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = _current;
            // Another caller may have refreshed while this one waited: then its token serves.
            if (IsFresh(current, rejected)) return current!.AccessToken;
            if (rejected is not null && current is not null && Same(current.AccessToken, rejected))
            {
                _current = current = null;
            }

            CachedToken token;
            try
            {
                token = _cache is null
                    ? await FetchAsync(cancellationToken).ConfigureAwait(false)
                    : await FetchSharedAsync(rejected, cancellationToken).ConfigureAwait(false);
            }
            catch (WeChatApiException ex) when (current is not null && _time.GetUtcNow() < current.ExpiresAt)
            {
                // Refreshing early leaves room for this: the cached token has not expired yet, keep using it.
                _logger.LogWarning("Refreshing the access token of {AppId} failed with errcode {ErrCode}; the cached token stays in use until it expires.",
                    _options.AppId, ex.ErrorCode);
                return current.AccessToken;
            }

            _current = token;
            return token.AccessToken;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<CachedToken> FetchAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetUtcNow();
        var response = await _fetch(cancellationToken).ConfigureAwait(false);
        var life = TimeSpan.FromSeconds(Math.Max(response.ExpiresIn, 0));
        var early = life - _options.RefreshBeforeExpiry;
        // A token that lives less than twice the margin is still used for half its life, so a short expires_in
        // can never turn into a fetch loop.
        var refreshAfter = early > life / 2 ? early : life / 2;
        _logger.LogDebug("Fetched a {Mode} access token for {AppId}; it expires in {ExpiresIn} s.",
            _options.TokenMode, _options.AppId, response.ExpiresIn);
        return new CachedToken(response.AccessToken, started + life, started + refreshAfter);
    }

    private async Task<CachedToken> FetchSharedAsync(string? rejected, CancellationToken cancellationToken)
    {
        var shared = await ReadSharedAsync(cancellationToken).ConfigureAwait(false);
        if (IsFresh(shared, rejected)) return shared!;

        var deadline = _time.GetUtcNow() + _options.TokenLockTimeout;
        while (true)
        {
            IAsyncDisposable? handle = null;
            var lockUsable = _lock is not null;
            if (_lock is not null)
            {
                try
                {
                    handle = await _lock.TryAcquireAsync(_lockKey, _options.TokenLockTimeout, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _logger.LogWarning(ex, "The token lock of {AppId} is unavailable; fetching without it.", _options.AppId);
                    lockUsable = false;
                }
            }

            if (handle is not null || !lockUsable)
            {
                await using (handle)
                {
                    if (handle is not null)
                    {
                        // Under the lock: whoever held it before may have stored a fresh token.
                        shared = await ReadSharedAsync(cancellationToken).ConfigureAwait(false);
                        if (IsFresh(shared, rejected)) return shared!;
                        if (shared is not null && rejected is not null && Same(shared.AccessToken, rejected))
                        {
                            // Compare-and-discard, atomic because every writer holds the lock.
                            await RemoveSharedAsync(cancellationToken).ConfigureAwait(false);
                        }
                    }

                    var fetched = await FetchAsync(cancellationToken).ConfigureAwait(false);
                    await WriteSharedAsync(fetched, cancellationToken).ConfigureAwait(false);
                    return fetched;
                }
            }

            await Task.Delay(_options.TokenLockPollInterval, _time, cancellationToken).ConfigureAwait(false);
            shared = await ReadSharedAsync(cancellationToken).ConfigureAwait(false);
            if (IsFresh(shared, rejected)) return shared!;
            if (_time.GetUtcNow() >= deadline)
            {
                _logger.LogWarning("Waited {Timeout} for another instance to fetch the access token of {AppId}; fetching here.",
                    _options.TokenLockTimeout, _options.AppId);
                var fetched = await FetchAsync(cancellationToken).ConfigureAwait(false);
                await WriteSharedAsync(fetched, cancellationToken).ConfigureAwait(false);
                return fetched;
            }
        }
    }

    private bool IsFresh(CachedToken? token, string? rejected) =>
        token is not null && _time.GetUtcNow() < token.RefreshAt && (rejected is null || !Same(token.AccessToken, rejected));

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.Ordinal);

    private async Task<CachedToken?> ReadSharedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var bytes = await _cache!.GetAsync(_cacheKey, cancellationToken).ConfigureAwait(false);
            return bytes is null ? null : CachedToken.Deserialize(bytes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Reading the shared access token of {AppId} failed.", _options.AppId);
            return null;
        }
    }

    private async Task WriteSharedAsync(CachedToken token, CancellationToken cancellationToken)
    {
        if (_cache is null) return;
        try
        {
            await _cache.SetAsync(_cacheKey, token.Serialize(),
                new DistributedCacheEntryOptions { AbsoluteExpiration = token.ExpiresAt }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Storing the shared access token of {AppId} failed.", _options.AppId);
        }
    }

    private async Task RemoveSharedAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _cache!.RemoveAsync(_cacheKey, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _logger.LogWarning(ex, "Discarding the shared access token of {AppId} failed.", _options.AppId);
        }
    }
}

/// <summary>A token with the moment it dies and the moment it should be replaced.</summary>
internal sealed record CachedToken(string AccessToken, DateTimeOffset ExpiresAt, DateTimeOffset RefreshAt)
{
    public byte[] Serialize()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", AccessToken);
            writer.WriteNumber("expires_at_ms", ExpiresAt.ToUnixTimeMilliseconds());
            writer.WriteNumber("refresh_at_ms", RefreshAt.ToUnixTimeMilliseconds());
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static CachedToken? Deserialize(byte[] bytes)
    {
        try
        {
            using var doc = JsonDocument.Parse(bytes);
            var root = doc.RootElement;
            var token = root.GetProperty("access_token").GetString();
            if (string.IsNullOrEmpty(token)) return null;
            return new CachedToken(token,
                DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("expires_at_ms").GetInt64()),
                DateTimeOffset.FromUnixTimeMilliseconds(root.GetProperty("refresh_at_ms").GetInt64()));
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }
}
