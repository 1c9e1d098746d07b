using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Quota;

public abstract class QuotaApiTests : EngineTests
{
    private const string Path = "/cgi-bin/express/business/quota/get";

    [Fact]
    public async Task GetQuota_DocumentationRequest_AnswersTheDocumentationResponseExactly()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{Path}?access_token={token}", Spec.Text("getQuota.request.json"));

        Assert.Equal(200, r.Status);
        Assert.Equal("application/json; encoding=utf-8", r.ContentType);
        Spec.AssertSameShape(Spec.Json("getQuota.response.json"), r.Json);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(Spec.Json("getQuota.response.json"), r.Json), r.Body);
    }

    [Fact]
    public async Task GetQuota_AuthorizerAccessToken_IsAcceptedLikeAccessToken()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{Path}?authorizer_access_token={token}", Spec.Text("getQuota.request.json"));

        Assert.Equal(210, r.Json["quota_num"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetQuota_UnknownFields_AreIgnored()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{Path}?access_token={token}",
            """{"delivery_id":"YTO","biz_id":"xyz","password":"wxjava sends this","extra":{"a":[1,2]}}""");

        Assert.Equal("""{"quota_num":210}""", r.Body);
    }

    [Theory]
    [InlineData("""{"delivery_id":"NOPE","biz_id":"xyz"}""", ErrorCodes.DeliveryIdNotExist, "delivery_id not exist")]
    [InlineData("""{"delivery_id":"SF","biz_id":"xyz"}""", ErrorCodes.DeliveryNoQuota, "delivery does not support quota")]
    [InlineData("""{"delivery_id":"YTO","biz_id":"nobody"}""", ErrorCodes.BizIdNotBound, "bizid not bind")]
    [InlineData("""{"delivery_id":"YTO"}""", ErrorCodes.DataFormatError, "data format error hint: [biz_id is required]")]
    [InlineData("""{"delivery_id":"","biz_id":"xyz"}""", ErrorCodes.DataFormatError, "data format error hint: [delivery_id is required]")]
    [InlineData("""{"delivery_id":7,"biz_id":"xyz"}""", ErrorCodes.DataFormatError, "data format error")]
    [InlineData("""["YTO","xyz"]""", ErrorCodes.DataFormatError, "data format error")]
    [InlineData("""{"delivery_id":"YTO",""", ErrorCodes.DataFormatError, "data format error")]
    [InlineData("null", ErrorCodes.DataFormatError, "data format error")]
    [InlineData("", ErrorCodes.EmptyPostData, "empty post data")]
    [InlineData("  \n", ErrorCodes.EmptyPostData, "empty post data")]
    public async Task GetQuota_BadRequest_AnswersItsErrcode(string body, int errcode, string text)
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{Path}?access_token={token}", body);

        Spec.AssertError(r, errcode, text);
    }

    [Fact]
    public async Task GetQuota_FieldTooLong_Answers9300526()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{Path}?access_token={token}", $$"""{"delivery_id":"YTO","biz_id":"{{new string('x', 65)}}"}""");

        Assert.Equal(ErrorCodes.FieldLengthInvalid, r.ErrCode);
    }

    [Fact]
    public async Task GetQuota_BodyOverTheLimit_IsRefusedWith47001()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.PostAsync($"{Path}?access_token={token}",
            $$"""{"delivery_id":"YTO","biz_id":"xyz","padding":"{{new string('x', 20_000)}}"}""");

        Assert.Equal(ErrorCodes.DataFormatError, r.ErrCode);
    }

    [Fact]
    public async Task GetQuota_Get_AnswersRequirePostAfterTheTokenCheck()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        Spec.AssertError(await server.GetAsync($"{Path}?access_token={token}"), ErrorCodes.RequirePost, "require POST method");
        // The token is checked first: a GET without a token answers 41001, not 43002.
        Spec.AssertError(await server.GetAsync(Path), ErrorCodes.AccessTokenMissing, "access_token missing");
    }

    [Theory]
    [InlineData("", ErrorCodes.AccessTokenMissing, "access_token missing")]
    [InlineData("?access_token=", ErrorCodes.AccessTokenMissing, "access_token missing")]
    [InlineData("?access_token=short", ErrorCodes.InvalidAccessToken, "invalid access_token")]
    [InlineData("?access_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA!!!", ErrorCodes.InvalidAccessToken, "invalid access_token")]
    [InlineData("?access_token=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ErrorCodes.InvalidCredential,
        "invalid credential, access_token is invalid or not latest")]
    public async Task GetQuota_BadToken_AnswersItsErrcodeBeforeLookingAtTheBody(string query, int errcode, string text)
    {
        await using var server = await StartAsync();

        Spec.AssertError(await server.PostAsync(Path + query, ""), errcode, text);
    }

    [Fact]
    public async Task GetQuota_AfterCredit_ReflectsTheNewBalanceAtOnce()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var credit = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":40}""", "credit-1");
        Assert.Equal(200, credit.Status);

        var r = await server.PostAsync($"{Path}?access_token={token}", Spec.Text("getQuota.request.json"));
        Assert.Equal("""{"quota_num":250}""", r.Body);
    }

    [Fact]
    public async Task GetQuota_DailyBudgetUsedUp_Answers45009()
    {
        await using var server = await StartAsync();
        var app = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", """{"name":"tiny","daily_budget":2}""");
        var appid = app.Json["appid"]!.GetValue<string>();
        var secret = app.Json["secret"]!.GetValue<string>();
        var token = (await server.GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"))
            .Json["access_token"]!.GetValue<string>();

        var body = """{"delivery_id":"YTO","biz_id":"xyz"}""";
        Assert.Equal(ErrorCodes.BizIdNotBound, (await server.PostAsync($"{Path}?access_token={token}", body)).ErrCode);
        Assert.Equal(ErrorCodes.BizIdNotBound, (await server.PostAsync($"{Path}?access_token={token}", body)).ErrCode);
        Spec.AssertError(await server.PostAsync($"{Path}?access_token={token}", body), ErrorCodes.DailyQuotaReached,
            "reach max api daily quota limit");

        // The budget is per China-time day: the next day it is back.
        server.Time.Advance(TimeSpan.FromDays(1));
        token = (await server.GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}"))
            .Json["access_token"]!.GetValue<string>();
        Assert.Equal(ErrorCodes.BizIdNotBound, (await server.PostAsync($"{Path}?access_token={token}", body)).ErrCode);
    }

    [Fact]
    public async Task GetQuota_MinuteLimitReached_Answers45011()
    {
        await using var server = await StartAsync();
        var app = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", """{"name":"slow","minute_limit":1}""");
        var token = (await server.GetAsync(
                $"/cgi-bin/token?grant_type=client_credential&appid={app.Json["appid"]}&secret={app.Json["secret"]}"))
            .Json["access_token"]!.GetValue<string>();
        var body = """{"delivery_id":"YTO","biz_id":"xyz"}""";

        await server.PostAsync($"{Path}?access_token={token}", body);
        Spec.AssertError(await server.PostAsync($"{Path}?access_token={token}", body), ErrorCodes.MinuteQuotaReached,
            "api minute-quota reach limit must slower retry next minute");
        server.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ErrorCodes.BizIdNotBound, (await server.PostAsync($"{Path}?access_token={token}", body)).ErrCode);
    }
}

public sealed class QuotaApiTests_Sqlite : QuotaApiTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class QuotaApiTests_Postgres : QuotaApiTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
