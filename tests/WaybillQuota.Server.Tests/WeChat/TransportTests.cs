using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Tests.WeChat;

public sealed class TransportTests
{
    [Fact]
    public void RequestId_HasThreeGroupsOfEightLowercaseHexDigits()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => RequestId.New()).ToList();

        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$", id));
        Assert.Equal(100, ids.Distinct().Count());
    }

    [Fact]
    public async Task ErrorAnswer_IsLoggedWithItsRidAndThePathButNotTheQuery()
    {
        await using var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"/cgi-bin/express/business/quota/get?access_token={token}", "{");

        var rid = r.ErrMsg[(r.ErrMsg.IndexOf("rid: ", StringComparison.Ordinal) + 5)..];
        var line = Assert.Single(server.Log.Lines, l => l.Contains(rid, StringComparison.Ordinal));
        Assert.Contains("/cgi-bin/express/business/quota/get", line, StringComparison.Ordinal);
        Assert.Contains("47001", line, StringComparison.Ordinal);
        Assert.DoesNotContain(token, server.Log.All, StringComparison.Ordinal);
        Assert.DoesNotContain("access_token=", server.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ErrorExample_HasTheSpecShape()
    {
        await using var server = await ServerHost.StartAsync(new ServerHostOptions(), TestContext.Current.CancellationToken);

        var r = await server.PostAsync("/cgi-bin/express/business/quota/get?access_token=" + new string('A', 43), "{}");

        Spec.AssertSameShape(Spec.Json("error.response.json"), r.Json);
        Spec.AssertError(r, ErrorCodes.InvalidCredential, "invalid credential, access_token is invalid or not latest");
    }

    [Theory]
    [InlineData(10)]
    [InlineData(100_000)]
    public void AnswerBuffer_WritesWhatTheWireContextWrites_AndIsReadyForTheNextAnswer(int length)
    {
        var large = new WeChatStatus { ErrCode = 9300531, ErrMsg = string.Concat(Enumerable.Repeat("顺丰 \"<&>\" ", length / 10)) };
        var small = new WeChatStatus { ErrCode = 0, ErrMsg = "ok" };

        foreach (var status in new[] { large, small, large, small })
        {
            byte[]? written = null;
            AnswerBuffer.Write(status, WeChatJsonContext.Wire.WeChatStatus, 0, (json, _) => written = json.ToArray());

            Assert.Equal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(status, WeChatJsonContext.Wire.WeChatStatus), written);
        }
        byte[]? last = null;
        AnswerBuffer.Write(large, WeChatJsonContext.Wire.WeChatStatus, 0, (json, _) => last = json.ToArray());
        Assert.Contains("顺丰", System.Text.Encoding.UTF8.GetString(last!), StringComparison.Ordinal);
    }

    [Fact]
    public void EveryErrcode_HasTheSpecText()
    {
        // The spec's tables, verbatim (§2).
        var spec = new Dictionary<int, string>
        {
            [-1] = "system error", [40001] = "invalid credential, access_token is invalid or not latest", [40002] = "invalid grant_type",
            [40013] = "invalid appid", [40014] = "invalid access_token", [40125] = "invalid appsecret", [41001] = "access_token missing",
            [41002] = "appid missing", [41004] = "appsecret missing", [42001] = "access_token expired", [43001] = "require GET method",
            [43002] = "require POST method", [44002] = "empty post data", [45009] = "reach max api daily quota limit",
            [45011] = "api minute-quota reach limit must slower retry next minute", [47001] = "data format error",
            [48001] = "api unauthorized", [9300501] = "delivery logic fail", [9300502] = "delivery system error",
            [9300503] = "delivery_id not exist", [9300506] = "waybill has track, can not cancel", [9300508] = "order id has been used",
            [9300510] = "invalid service type", [9300513] = "out of quota",
            [9300521] = "the orderid is in our system, and waybill is generating", [9300522] = "this orderid is repeated",
            [9300523] = "quota is not enough; go to charge please", [9300524] = "order has been cancelled", [9300525] = "bizid not bind",
            [9300526] = "field length invalid", [9300527] = "delivery does not support quota", [9300529] = "account has been bound",
            [9300530] = "bizid to unbind not exist", [9300531] = "bizid or password invalid",
            [9300532] = "bind request submitted, waiting for review",
        };

        foreach (var (code, text) in spec) Assert.Equal(text, ErrorCodes.Message(code));
    }
}
