using WaybillQuota.Contracts;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;
using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.Tests.Tokens;

/// <summary>
/// Calls repeated on one kept-alive connection reuse the token's hash (<see cref="QueryTokenMemo"/>), and nothing else:
/// each call is still checked against the token's current state.
/// </summary>
public sealed class QueryTokenMemoTests
{
    private const string Quota = "/cgi-bin/express/business/quota/get";
    private const string QuotaBody = """{"delivery_id":"YTO","biz_id":"xyz"}""";

    [Fact]
    public async Task SameCallOnOneConnection_AfterTheTokenIsRotatedOut_Answers40001()
    {
        await using var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);
        var first = await server.DemoTokenAsync();
        await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);
        Assert.Equal(0, (await connection.PostAsync($"{Quota}?access_token={first}", QuotaBody)).ErrCode);

        await server.DemoTokenAsync();
        server.Time.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(0, (await connection.PostAsync($"{Quota}?access_token={first}", QuotaBody)).ErrCode);
        server.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(ErrorCodes.InvalidCredential, (await connection.PostAsync($"{Quota}?access_token={first}", QuotaBody)).ErrCode);
    }

    [Fact]
    public async Task SameCallOnOneConnection_AfterTheTokenExpires_Answers42001()
    {
        await using var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);
        var token = await server.DemoTokenAsync();
        await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);
        var call = $"{Quota}?access_token={token}";
        Assert.Equal("""{"quota_num":210}""", (await connection.PostAsync(call, QuotaBody)).Body);

        server.Time.Advance(TimeSpan.FromSeconds(7200));

        Assert.Equal(ErrorCodes.AccessTokenExpired, (await connection.PostAsync(call, QuotaBody)).ErrCode);
    }

    [Fact]
    public async Task OneConnection_CallsWithDifferentTokens_AreEachAnsweredForTheirOwnToken()
    {
        await using var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);
        var token = await server.DemoTokenAsync();
        var unknown = new string('A', Secrets.TokenLength);
        await using var connection = await RawHttpConnection.OpenAsync(server.BaseAddress);

        var answers = new List<int>();
        foreach (var query in new[]
        {
            $"?access_token={token}", $"?access_token={unknown}", $"?access_token={token}", "", $"?access_token={token}",
            $"?authorizer_access_token={unknown}", $"?authorizer_access_token={token}", "?access_token=short", $"?access_token={token}",
        })
        {
            answers.Add((await connection.PostAsync(Quota + query, QuotaBody)).ErrCode);
        }

        Assert.Equal([0, ErrorCodes.InvalidCredential, 0, ErrorCodes.AccessTokenMissing, 0, ErrorCodes.InvalidCredential, 0,
            ErrorCodes.InvalidAccessToken, 0], answers);
    }

    [Fact]
    public void TryGet_KnowsOnlyTheSameQueryStringObject()
    {
        var memo = new QueryTokenMemo();
        var query = "?access_token=" + new string('A', Secrets.TokenLength);
        var hash = TokenHash.From(Secrets.Hash(new string('A', Secrets.TokenLength)));

        Assert.False(memo.TryGet(query, out _));
        memo.Remember(query, hash);

        Assert.True(memo.TryGet(query, out var remembered));
        Assert.Equal(hash, remembered);
        Assert.False(memo.TryGet(new string(query.AsSpan()), out _));
        Assert.False(memo.TryGet(null, out _));
    }
}
