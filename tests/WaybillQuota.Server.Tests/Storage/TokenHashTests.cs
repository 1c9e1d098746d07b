using System.Security.Cryptography;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.Tests.Storage;

public sealed class TokenHashTests
{
    [Fact]
    public void From_KeepsTheDigestAndComparesByContent()
    {
        var digest = SHA256.HashData("token"u8);

        var hash = TokenHash.From(digest);

        Assert.Equal(digest, hash.ToArray());
        Assert.Equal(TokenHash.From(digest.ToArray()), hash);
        Assert.Equal(TokenHash.From(digest).GetHashCode(), hash.GetHashCode());
        Assert.NotEqual(TokenHash.From(SHA256.HashData("other"u8)), hash);
        Assert.True(hash == TokenHash.From(digest));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(33)]
    public void From_AnythingButThirtyTwoBytes_Throws(int length) =>
        Assert.Throws<ArgumentException>(() => TokenHash.From(new byte[length]));

    [Fact]
    public void TryParseHex_ReadsTheHexTextOfADigest()
    {
        var digest = SHA256.HashData("token"u8);

        Assert.True(TokenHash.TryParseHex(Convert.ToHexString(digest), out var upper));
        Assert.True(TokenHash.TryParseHex(Convert.ToHexStringLower(digest), out var lower));

        Assert.Equal(TokenHash.From(digest), upper);
        Assert.Equal(upper, lower);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ABCD")]
    [InlineData("ZZ4C22C6CD7B1F1A0B1FA3D5B6B66E6E4B05D0B1C9A4A7B1A8A2C9A0E4E5E6E7")]
    [InlineData("0A4C22C6CD7B1F1A0B1FA3D5B6B66E6E4B05D0B1C9A4A7B1A8A2C9A0E4E5E6E7AA")]
    public void TryParseHex_OtherText_IsNotAHash(string text) => Assert.False(TokenHash.TryParseHex(text, out _));

    [Fact]
    public void AsDictionaryKey_FindsTheSameDigestMadeAgain()
    {
        var tokens = new Dictionary<TokenHash, string>();
        for (var i = 0; i < 1000; i++) tokens[TokenHash.From(SHA256.HashData(BitConverter.GetBytes(i)))] = $"t{i}";

        Assert.Equal(1000, tokens.Count);
        Assert.Equal("t417", tokens[TokenHash.From(SHA256.HashData(BitConverter.GetBytes(417)))]);
    }
}
