using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.WeChat;

/// <summary>
/// The body of a WeChat call is parsed at once when it arrived with the request head, and waited for otherwise; both
/// ways follow the same rules. Sent on a plain socket, so that the pieces reach the server as written.
/// </summary>
public sealed class BodyReadTests
{
    private const string Quota = "/cgi-bin/express/business/quota/get";
    private const string QuotaBody = """{"delivery_id":"YTO","biz_id":"xyz"}""";

    /// <summary>A server, one connection to it, and the getQuota target with the demo's token.</summary>
    private sealed record Session(ServerHost Server, RawHttpConnection Connection, string Target) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Connection.DisposeAsync();
            await Server.DisposeAsync();
        }
    }

    private static async Task<Session> OpenAsync()
    {
        var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);
        var token = await server.DemoTokenAsync();
        return new Session(server, await RawHttpConnection.OpenAsync(server.BaseAddress), $"{Quota}?access_token={token}");
    }

    [Fact]
    public async Task BodyArrivingAfterTheHead_InPieces_IsWaitedForAndParsed()
    {
        await using var session = await OpenAsync();
        var (connection, target) = (session.Connection, session.Target);

        await connection.WriteAsync(connection.Head("POST", target, $"Content-Length: {QuotaBody.Length}"));
        await Task.Delay(50, TestContext.Current.CancellationToken);
        await connection.WriteAsync(QuotaBody[..10]);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        await connection.WriteAsync(QuotaBody[10..]);

        Assert.Equal("""{"quota_num":210}""", (await connection.ReadAnswerAsync()).Body);
        Assert.Equal("""{"quota_num":210}""", (await connection.PostAsync(target, QuotaBody)).Body);
    }

    [Fact]
    public async Task ChunkedBody_IsParsed()
    {
        await using var session = await OpenAsync();
        var (connection, target) = (session.Connection, session.Target);

        await connection.WriteAsync(connection.Head("POST", target, "Transfer-Encoding: chunked") +
            $"{10:x}\r\n{QuotaBody[..10]}\r\n");
        await Task.Delay(50, TestContext.Current.CancellationToken);
        await connection.WriteAsync($"{QuotaBody.Length - 10:x}\r\n{QuotaBody[10..]}\r\n0\r\n\r\n");

        Assert.Equal("""{"quota_num":210}""", (await connection.ReadAnswerAsync()).Body);
    }

    [Fact]
    public async Task ChunkedBodyOverTheLimit_IsRefusedWith47001()
    {
        await using var session = await OpenAsync();
        var (connection, target) = (session.Connection, session.Target);
        var chunk = new string(' ', 8 * 1024);

        await connection.WriteAsync(connection.Head("POST", target, "Transfer-Encoding: chunked") +
            $"{chunk.Length:x}\r\n{chunk}\r\n{chunk.Length:x}\r\n{chunk}\r\n{chunk.Length:x}\r\n{chunk}\r\n");

        var answer = await connection.ReadAnswerAsync();
        Assert.Equal(ErrorCodes.DataFormatError, answer.ErrCode);
        Assert.StartsWith("data format error hint: [body too large]", answer.Json["errmsg"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyLargerThanOneBuffer_WithinTheLimit_IsParsed()
    {
        await using var session = await OpenAsync();
        var (connection, target) = (session.Connection, session.Target);
        var padded = $$"""{"padding":"{{new string('x', 12 * 1024)}}","delivery_id":"YTO","biz_id":"xyz"}""";

        Assert.Equal("""{"quota_num":210}""", (await connection.PostAsync(target, padded)).Body);
    }

    [Theory]
    [InlineData(QuotaBody + " \r\n\t", 0)]
    [InlineData(" \n" + QuotaBody, 0)]
    [InlineData(QuotaBody + "}", ErrorCodes.DataFormatError)]
    [InlineData(QuotaBody + QuotaBody, ErrorCodes.DataFormatError)]
    [InlineData(QuotaBody + " x", ErrorCodes.DataFormatError)]
    public async Task TextAroundTheJsonValue_OnlyWhitespaceIsAllowed(string body, int errcode)
    {
        await using var session = await OpenAsync();
        var (connection, target) = (session.Connection, session.Target);

        Assert.Equal(errcode, (await connection.PostAsync(target, body)).ErrCode);
    }

    [Fact]
    public async Task TextAfterTheJsonValue_InABodyLargerThanOneBuffer_IsRefusedToo()
    {
        await using var session = await OpenAsync();
        var (connection, target) = (session.Connection, session.Target);
        var padded = $$"""{"padding":"{{new string('x', 12 * 1024)}}","delivery_id":"YTO","biz_id":"xyz"} x""";

        Assert.Equal(ErrorCodes.DataFormatError, (await connection.PostAsync(target, padded)).ErrCode);
    }
}
