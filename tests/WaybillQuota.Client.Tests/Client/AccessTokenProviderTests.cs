using Microsoft.Extensions.Time.Testing;
using WaybillQuota.Client.Tests.Infrastructure;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Tests.Client;

/// <summary>The token cache on a fake clock, with a fetch function that counts.</summary>
public sealed class AccessTokenProviderTests
{
    private static readonly WaybillQuotaClientOptions Options = new()
    {
        AppId = "wx0000000000000001",
        Secret = "secret",
        RefreshBeforeExpiry = TimeSpan.FromMinutes(3),
    };

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));
    private int _fetches;

    private CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<AccessTokenResponse> Fetch(int expiresIn = 7200)
    {
        var n = Interlocked.Increment(ref _fetches);
        return Task.FromResult(new AccessTokenResponse { AccessToken = $"token-{n}", ExpiresIn = expiresIn });
    }

    [Fact]
    public async Task GetTokenAsync_CalledAgainBeforeRefreshTime_ReturnsCachedTokenWithoutFetching()
    {
        using var provider = new AccessTokenProvider(_ => Fetch(), Options, _time);

        var first = await provider.GetTokenAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(7200 - 180) - TimeSpan.FromSeconds(1));
        var second = await provider.GetTokenAsync(Ct);

        Assert.Equal("token-1", first);
        Assert.Equal("token-1", second);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task GetTokenAsync_RefreshMarginReached_FetchesNewTokenBeforeExpiry()
    {
        using var provider = new AccessTokenProvider(_ => Fetch(), Options, _time);
        await provider.GetTokenAsync(Ct);

        _time.Advance(TimeSpan.FromSeconds(7200 - 180));
        var refreshed = await provider.GetTokenAsync(Ct);

        Assert.Equal("token-2", refreshed);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetTokenAsync_TokenShorterThanTwiceTheMargin_IsUsedForHalfItsLife()
    {
        using var provider = new AccessTokenProvider(_ => Fetch(expiresIn: 300), Options, _time);
        await provider.GetTokenAsync(Ct);

        _time.Advance(TimeSpan.FromSeconds(149));
        var stillFirst = await provider.GetTokenAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(1));
        var second = await provider.GetTokenAsync(Ct);

        Assert.Equal("token-1", stillFirst);
        Assert.Equal("token-2", second);
    }

    [Fact]
    public async Task GetTokenAsync_ManyConcurrentCallers_FetchOnce()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var provider = new AccessTokenProvider(async _ =>
        {
            Interlocked.Increment(ref _fetches);
            await release.Task;
            return new AccessTokenResponse { AccessToken = "shared", ExpiresIn = 7200 };
        }, Options, _time);

        var callers = Enumerable.Range(0, 64).Select(_ => Task.Run(() => provider.GetTokenAsync(Ct).AsTask(), Ct)).ToArray();
        while (_fetches == 0) await Task.Yield();
        release.SetResult();
        var tokens = await Task.WhenAll(callers);

        Assert.All(tokens, t => Assert.Equal("shared", t));
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task RenewAsync_RejectedTokenIsTheCachedOne_DiscardsItAndFetches()
    {
        using var provider = new AccessTokenProvider(_ => Fetch(), Options, _time);
        var rejected = await provider.GetTokenAsync(Ct);

        var fresh = await provider.RenewAsync(rejected, Ct);
        var next = await provider.GetTokenAsync(Ct);

        Assert.Equal("token-2", fresh);
        Assert.Equal("token-2", next);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task RenewAsync_CachedTokenAlreadyReplaced_KeepsTheNewOneWithoutFetching()
    {
        using var provider = new AccessTokenProvider(_ => Fetch(), Options, _time);
        var stale = await provider.GetTokenAsync(Ct);
        var replacement = await provider.RenewAsync(stale, Ct);

        // A second caller that also held the stale token reports it late.
        var afterLateReport = await provider.RenewAsync(stale, Ct);

        Assert.Equal(replacement, afterLateReport);
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task RenewAsync_ManyCallersReportTheSameRejectedToken_FetchOnce()
    {
        using var provider = new AccessTokenProvider(_ => Fetch(), Options, _time);
        var rejected = await provider.GetTokenAsync(Ct);

        var renewed = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(() => provider.RenewAsync(rejected, Ct).AsTask(), Ct)));

        Assert.All(renewed, t => Assert.Equal("token-2", t));
        Assert.Equal(2, _fetches);
    }

    [Fact]
    public async Task GetTokenAsync_RefreshFailsWhileCachedTokenIsValid_KeepsCachedToken()
    {
        var fail = false;
        using var provider = new AccessTokenProvider(_ => fail
            ? throw new WeChatApiException(ErrorCodes.SystemError, "system error rid: 00000000-00000000-00000000")
            : Fetch(), Options, _time);
        await provider.GetTokenAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(7200 - 60));
        fail = true;

        var token = await provider.GetTokenAsync(Ct);
        _time.Advance(TimeSpan.FromSeconds(61));
        var expired = await Assert.ThrowsAsync<WeChatApiException>(() => provider.GetTokenAsync(Ct).AsTask());

        Assert.Equal("token-1", token);
        Assert.Equal(ErrorCodes.SystemError, expired.ErrorCode);
    }

    [Fact]
    public async Task GetTokenAsync_SharedCacheHoldsFreshToken_UsesItWithoutFetching()
    {
        var cache = new DictionaryCache();
        using var first = new AccessTokenProvider(_ => Fetch(), Options, _time, cache, new InProcessTokenLock());
        using var second = new AccessTokenProvider(_ => Fetch(), Options, _time, cache, new InProcessTokenLock());

        var a = await first.GetTokenAsync(Ct);
        var b = await second.GetTokenAsync(Ct);

        Assert.Equal(a, b);
        Assert.Equal(1, _fetches);
    }

    [Fact]
    public async Task RenewAsync_SharedCacheStillHoldsRejectedToken_DiscardsItThereAndStoresFreshOne()
    {
        var cache = new DictionaryCache();
        var tokenLock = new InProcessTokenLock();
        using var first = new AccessTokenProvider(_ => Fetch(), Options, _time, cache, tokenLock);
        using var second = new AccessTokenProvider(_ => Fetch(), Options, _time, cache, tokenLock);
        var rejected = await first.GetTokenAsync(Ct);
        await second.GetTokenAsync(Ct);

        var renewed = await first.RenewAsync(rejected, Ct);
        // The other instance's memory still has the old token; when it is refused there too, it finds the new one.
        var renewedBySecond = await second.RenewAsync(rejected, Ct);

        Assert.Equal("token-2", renewed);
        Assert.Equal("token-2", renewedBySecond);
        Assert.Equal(2, _fetches);
        Assert.Equal(1, cache.Removals);
        Assert.Equal("token-2", CachedToken.Deserialize(cache.Entries[first.CacheKey])!.AccessToken);
    }

    [Fact]
    public async Task RenewAsync_SharedCacheHoldsAnotherToken_LeavesItAndDoesNotFetch()
    {
        var cache = new DictionaryCache();
        using var provider = new AccessTokenProvider(_ => Fetch(), Options, _time, cache, new InProcessTokenLock());
        await provider.GetTokenAsync(Ct);
        cache.Entries[provider.CacheKey] = new CachedToken("rotated-elsewhere", _time.GetUtcNow().AddHours(2), _time.GetUtcNow().AddHours(1)).Serialize();

        var renewed = await provider.RenewAsync("token-1", Ct);

        Assert.Equal("rotated-elsewhere", renewed);
        Assert.Equal(1, _fetches);
        Assert.Equal(0, cache.Removals);
    }
}
