using System.Security.Cryptography;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.Tests.Storage;

public sealed class StoreCacheTests
{
    private static TokenRecord Token(string text) =>
        new(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)), "wx0123456789abcdef", TokenKind.Classic, null, 0, 7_200_000, null);

    [Fact]
    public void Invalidate_TokenKey_EvictsThatTokenOnly()
    {
        var cache = new StoreCache(shared: true);
        cache.Trust();
        var (a, b) = (Token("a"), Token("b"));
        cache.StoreToken(a);
        cache.StoreToken(b);

        cache.Invalidate(StoreCache.TokenKey(a.Hash));

        Assert.False(cache.TryGetToken(TokenHash.From(a.Hash), out _));
        Assert.True(cache.TryGetToken(TokenHash.From(b.Hash), out var kept));
        Assert.Same(b, kept);
    }

    [Fact]
    public void Invalidate_TokenKeyThatIsNotAHash_ClearsEverything()
    {
        var cache = new StoreCache(shared: true);
        cache.Trust();
        var token = Token("a");
        cache.StoreToken(token);

        cache.Invalidate("t:not-hex");

        Assert.False(cache.TryGetToken(TokenHash.From(token.Hash), out _));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void TryGetToken_WhileDistrusted_Misses()
    {
        var cache = new StoreCache(shared: true);
        cache.Trust();
        var token = Token("a");
        cache.StoreToken(token);

        cache.Distrust();

        Assert.False(cache.TryGetToken(TokenHash.From(token.Hash), out _));
    }
}
