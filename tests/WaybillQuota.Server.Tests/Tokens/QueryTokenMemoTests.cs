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
    public async Task Http2_ConcurrentCallsWithDifferentTokens_AreEachAnsweredForTheirOwnToken()
    {
        var options = new ServerHostOptions();
        options.Settings["Kestrel:EndpointDefaults:Protocols"] = "Http2";
        await using var server = await ServerHost.StartAsync(options, TestContext.Current.CancellationToken);
        using var http2 = new HttpClient
        {
            BaseAddress = server.BaseAddress,
            DefaultRequestVersion = System.Net.HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var issued = System.Text.Json.Nodes.JsonNode.Parse(await http2.GetStringAsync(
            $"/cgi-bin/token?grant_type=client_credential&appid={server.Demo.Appid}&secret={server.Demo.Secret}",
            TestContext.Current.CancellationToken))!;
        var token = issued["access_token"]!.GetValue<string>();
        var unknown = new string('A', Secrets.TokenLength);

        var calls = Enumerable.Range(0, 60).Select(async i =>
        {
            using var response = await http2.PostAsync($"{Quota}?access_token={(i % 3 == 0 ? unknown : token)}",
                new StringContent(QuotaBody), TestContext.Current.CancellationToken);
            Assert.Equal(System.Net.HttpVersion.Version20, response.Version);
            var answer = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
            return (Unknown: i % 3 == 0, ErrCode: answer["errcode"]?.GetValue<int>() ?? 0);
        });
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Equal(a.Unknown ? ErrorCodes.InvalidCredential : 0, a.ErrCode));
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
