using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;
using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.Tests.Tokens;

public sealed class AccessTokenQueryTests
{
    private const string Quota = "/cgi-bin/express/business/quota/get";
    private const string QuotaBody = """{"delivery_id":"YTO","biz_id":"xyz"}""";

    // What the server read before it parsed the query itself: Request.Query's value of access_token, else of
    // authorizer_access_token (a parameter given twice has its values joined with a comma).
    private static string FrameworkToken(string query)
    {
        var parsed = QueryHelpers.ParseNullableQuery(query);
        string? token = null;
        if (parsed is not null && parsed.TryGetValue(AccessTokenQuery.Name, out var values)) token = values;
        if (string.IsNullOrEmpty(token) && parsed is not null && parsed.TryGetValue(AccessTokenQuery.AuthorizerName, out values)) token = values;
        return token ?? "";
    }

    [Theory]
    [InlineData("")]
    [InlineData("?")]
    [InlineData("?access_token=abc")]
    [InlineData("access_token=abc")]
    [InlineData("?x=1&access_token=abc&y=2")]
    [InlineData("?access_token=")]
    [InlineData("?access_token")]
    [InlineData("?access_token&authorizer_access_token=def")]
    [InlineData("?access_token=&authorizer_access_token=def")]
    [InlineData("?authorizer_access_token=def&access_token=abc")]
    [InlineData("?authorizer_access_token=def")]
    [InlineData("?authorizer_access_token=")]
    [InlineData("?ACCESS_TOKEN=abc")]
    [InlineData("?Authorizer_Access_Token=def")]
    [InlineData("?access%5Ftoken=abc")]
    [InlineData("?access%5ftoken=abc")]
    [InlineData("?access+token=abc")]
    [InlineData("?access_token=%41%62%63")]
    [InlineData("?access_token=a%2Bb+c")]
    [InlineData("?access_token=%zz%4")]
    [InlineData("?access_token=abc&access_token=def")]
    [InlineData("?access_token=&access_token=")]
    [InlineData("?access_token=&access_token=abc")]
    [InlineData("?access_token=abc&access_token=&access_token=def")]
    [InlineData("?access_token=abc&ACCESS_TOKEN=def&access%5Ftoken=ghi")]
    [InlineData("?access_token=&access_token=&authorizer_access_token=def")]
    [InlineData("?&&access_token=abc&&")]
    [InlineData("?=abc&access_token==abc=")]
    [InlineData("?access_token_x=abc&x_access_token=def")]
    public void Read_AnyQuery_FindsWhatRequestQueryFinds(string query)
    {
        Assert.Equal(FrameworkToken(query), AccessTokenQuery.Read(query).ToString());
    }

    [Fact]
    public void Read_PlainToken_ReturnsASliceOfTheQueryWithoutCopying()
    {
        const string query = "?access_token=onC_xhMybbUGBo7gxzCsdzkbKztbHTXswuYq9vfKI-c";

        var token = AccessTokenQuery.Read(query);

        Assert.True(query.AsSpan().Overlaps(token));
    }

    // Sent over a plain socket: HttpClient's Uri would unescape %41 and %5F before they reach the server.
    [Theory]
    [InlineData("?access_token={0}", 0)]
    [InlineData("?ACCESS_TOKEN={0}", 0)]
    [InlineData("?access%5Ftoken={0}", 0)]
    [InlineData("?access_token={1}", 0)]
    [InlineData("?access_token=&authorizer_access_token={0}", 0)]
    [InlineData("?access_token&authorizer_access_token={1}", 0)]
    [InlineData("?x=1&&access_token={0}&y", 0)]
    [InlineData("?authorizer_access_token={0}&access_token=short", ErrorCodes.InvalidAccessToken)]
    [InlineData("?access_token={0}&access_token={0}", ErrorCodes.InvalidAccessToken)]
    [InlineData("?access_token={0}+", ErrorCodes.InvalidAccessToken)]
    [InlineData("?access_token=%20", ErrorCodes.InvalidAccessToken)]
    [InlineData("?access_token=&authorizer_access_token=", ErrorCodes.AccessTokenMissing)]
    [InlineData("?access_token_x={0}", ErrorCodes.AccessTokenMissing)]
    public async Task GetQuota_TokenInAnyFormOfTheQuery_IsReadAsRequestQueryReadsIt(string template, int errcode)
    {
        await using var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);
        var token = await server.DemoTokenAsync();
        var percentEncoded = string.Concat(token.Select(c => $"%{(int)c:X2}"));

        var answer = await RawPostAsync(server.BaseAddress, Quota + string.Format(System.Globalization.CultureInfo.InvariantCulture,
            template, token, percentEncoded), QuotaBody);

        Assert.Equal(errcode, answer["errcode"]?.GetValue<int>() ?? 0);
        if (errcode == 0) Assert.Equal(210, answer["quota_num"]!.GetValue<int>());
    }

    private static async Task<JsonNode> RawPostAsync(Uri server, string target, string body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, TestContext.Current.CancellationToken);
        await using var stream = client.GetStream();
        var request = $"POST {target} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\n" +
            $"Content-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(request), TestContext.Current.CancellationToken);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(TestContext.Current.CancellationToken);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", response, StringComparison.Ordinal);
        Assert.Contains($"\r\nContent-Type: {WaybillQuota.Server.WeChat.WeChatResponse.ContentType}\r\n", response, StringComparison.Ordinal);
        return JsonNode.Parse(response[(response.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..])!;
    }
}
