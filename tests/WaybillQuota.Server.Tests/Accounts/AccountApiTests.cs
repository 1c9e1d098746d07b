using System.Text.Json.Nodes;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Accounts;

public abstract class AccountApiTests : EngineTests
{
    private const string Bind = "/cgi-bin/express/business/account/bind";
    private const string GetAll = "/cgi-bin/express/business/account/getall";
    private const string Quota = "/cgi-bin/express/business/quota/get";

    /// <summary>A new app with a token, and a carrier account (created by the operator) it may bind.</summary>
    private static async Task<(string Token, string Appid)> NewAppAsync(ServerHost server, string name = "shop")
    {
        var app = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", $$"""{"name":"{{name}}"}""");
        var appid = app.Json["appid"]!.GetValue<string>();
        var token = (await server.GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={app.Json["secret"]}"))
            .Json["access_token"]!.GetValue<string>();
        return (token, appid);
    }

    private static async Task CreateAccountAsync(ServerHost server, string delivery, string biz, string password, int credit = 0)
    {
        var created = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            $$"""{"delivery_id":"{{delivery}}","biz_id":"{{biz}}","password":"{{password}}"}""");
        Assert.Equal(201, created.Status);
        if (credit > 0)
        {
            var r = await server.OperatorAsync(HttpMethod.Post, $"/ops/v1/accounts/{delivery}/{biz}/credits", $$"""{"amount":{{credit}}}""",
                $"seed-{delivery}-{biz}");
            Assert.Equal(200, r.Status);
        }
    }

    private static string BindBody(string type, string delivery, string biz, string password) =>
        $$"""{"type":"{{type}}","biz_id":"{{biz}}","delivery_id":"{{delivery}}","password":"{{password}}","remark_content":"from test"}""";

    [Fact]
    public async Task Bind_DocumentationRequest_AnswersOkAndTheAccountIsListedLikeTheDocumentation()
    {
        await using var server = await StartAsync();
        var (token, _) = await NewAppAsync(server);
        await CreateAccountAsync(server, "YUNDA", "123456", "123456789123456789", credit: 55);

        var bind = await server.PostAsync($"{Bind}?access_token={token}", Spec.Text("bindAccount.request.json"));
        Assert.Equal("""{"errcode":0,"errmsg":"ok"}""", bind.Body);
        Assert.Equal("application/json; encoding=utf-8", bind.ContentType);

        var all = await server.GetAsync($"{GetAll}?access_token={token}");
        Spec.AssertSameShape(Spec.Json("getAllAccount.response.json"), all.Json);
        var item = all.Json["list"]![0]!;
        Assert.Equal(1, all.Json["count"]!.GetValue<int>());
        Assert.Equal("YUNDA", item["delivery_id"]!.GetValue<string>());
        Assert.Equal("123456", item["biz_id"]!.GetValue<string>());
        Assert.Equal(0, item["status_code"]!.GetValue<int>());
        Assert.Equal(55, item["quota_num"]!.GetValue<int>());
        Assert.Equal(server.Time.GetUtcNow().ToUnixTimeSeconds(), item["create_time"]!.GetValue<long>());
        Assert.Equal("""[{"service_type":0,"service_name":"标准快件"}]""", item["service_type"]!.ToJsonString(
            new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        Assert.Equal(55, (await server.PostAsync($"{Quota}?access_token={token}", """{"delivery_id":"YUNDA","biz_id":"123456"}"""))
            .Json["quota_num"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetAllDelivery_ListsTheSpecCatalogue()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var r = await server.GetAsync($"/cgi-bin/express/business/delivery/getall?access_token={token}");

        Assert.Equal("application/json; encoding=utf-8", r.ContentType);
        var data = r.Json["data"]!.AsArray();
        Assert.Equal(data.Count, r.Json["count"]!.GetValue<int>());
        var ids = data.Select(d => d!["delivery_id"]!.GetValue<string>()).ToList();
        Assert.Equal(["YTO", "ZTO", "BEST", "YUNDA", "STO", "ANE", "UCE", "HHTT", "JTSD", "SF", "EMS", "PJ", "DB", "JDL", "TEST"], ids);
        var yto = data[0]!;
        Assert.Equal("""{"delivery_id":"YTO","delivery_name":"圆通速递","can_use_cash":0,"can_get_quota":1,"cash_biz_id":"","service_type":[{"service_type":0,"service_name":"普通快递"},{"service_type":1,"service_name":"圆准达"}]}""",
            yto.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        var sf = data.Single(d => d!["delivery_id"]!.GetValue<string>() == "SF")!;
        Assert.Equal(1, sf["can_use_cash"]!.GetValue<int>());
        Assert.Equal(0, sf["can_get_quota"]!.GetValue<int>());
        Assert.Equal("SF_CASH", sf["cash_biz_id"]!.GetValue<string>());
        Assert.Contains("顺丰速运", r.Body, StringComparison.Ordinal);
        Spec.AssertError(await server.PostAsync($"/cgi-bin/express/business/delivery/getall?access_token={token}", "{}"),
            ErrorCodes.RequireGet, "require GET method");
    }

    [Fact]
    public async Task Bind_WrongPassword_UnknownAccount_Answer9300531()
    {
        await using var server = await StartAsync();
        var (token, _) = await NewAppAsync(server);
        await CreateAccountAsync(server, "ZTO", "z1", "right");

        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "ZTO", "z1", "wrong")),
            ErrorCodes.BizIdOrPasswordInvalid, "bizid or password invalid");
        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "ZTO", "nobody", "right")),
            ErrorCodes.BizIdOrPasswordInvalid, "bizid or password invalid");
    }

    [Fact]
    public async Task Bind_Twice_Answers9300529()
    {
        await using var server = await StartAsync();
        var (token, _) = await NewAppAsync(server);
        await CreateAccountAsync(server, "ZTO", "z1", "pw");

        Assert.Equal(0, (await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "ZTO", "z1", "pw"))).ErrCode);
        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "ZTO", "z1", "pw")),
            ErrorCodes.AccountAlreadyBound, "account has been bound");
    }

    [Fact]
    public async Task Bind_ConcurrentBindsOfOneAccount_OneSucceedsTheOthersAnswer9300529()
    {
        await using var server = await StartAsync();
        var (token, _) = await NewAppAsync(server);
        await CreateAccountAsync(server, "ZTO", "race", "pw");

        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "ZTO", "race", "pw"))));

        Assert.Equal(1, answers.Count(a => a.ErrCode == 0));
        Assert.Equal(7, answers.Count(a => a.ErrCode == ErrorCodes.AccountAlreadyBound));
    }

    [Fact]
    public async Task Unbind_ThenQuota_Answers9300525AndListShowsStatus3()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var password = server.Demo.AccountPassword;

        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", BindBody("unbind", "YTO", "xyz", "nope")),
            ErrorCodes.BizIdOrPasswordInvalid, "bizid or password invalid");
        Assert.Equal("""{"errcode":0,"errmsg":"ok"}""",
            (await server.PostAsync($"{Bind}?access_token={token}", BindBody("unbind", "YTO", "xyz", password))).Body);

        Spec.AssertError(await server.PostAsync($"{Quota}?access_token={token}", """{"delivery_id":"YTO","biz_id":"xyz"}"""),
            ErrorCodes.BizIdNotBound, "bizid not bind");
        Assert.Equal(3, (await server.GetAsync($"{GetAll}?access_token={token}")).Json["list"]![0]!["status_code"]!.GetValue<int>());
        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", BindBody("unbind", "YTO", "xyz", password)),
            ErrorCodes.BizIdToUnbindNotExist, "bizid to unbind not exist");

        // Binding again restores access, with the balance the account kept meanwhile.
        Assert.Equal(0, (await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "YTO", "xyz", password))).ErrCode);
        Assert.Equal("""{"quota_num":210}""",
            (await server.PostAsync($"{Quota}?access_token={token}", """{"delivery_id":"YTO","biz_id":"xyz"}""")).Body);
    }

    [Fact]
    public async Task Bind_OnACarrierThatReviews_WaitsUntilTheOperatorApproves()
    {
        await using var server = await StartAsync();
        var (token, appid) = await NewAppAsync(server);
        await CreateAccountAsync(server, "EMS", "e1", "pw");

        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "EMS", "e1", "pw")),
            ErrorCodes.BindUnderReview, "bind request submitted, waiting for review");
        Assert.Equal(1, (await server.GetAsync($"{GetAll}?access_token={token}")).Json["list"]![0]!["status_code"]!.GetValue<int>());
        Assert.Equal(ErrorCodes.BindUnderReview,
            (await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "EMS", "e1", "pw"))).ErrCode);

        var pending = await server.OperatorAsync(HttpMethod.Get, "/ops/v1/bindings?status=1");
        Assert.Equal(appid, pending.Json["items"]![0]!["appid"]!.GetValue<string>());

        var approved = await server.OperatorAsync(HttpMethod.Post, $"/ops/v1/bindings/{appid}/EMS/e1/approve");
        Assert.Equal(200, approved.Status);
        Assert.Equal(0, (await server.GetAsync($"{GetAll}?access_token={token}")).Json["list"]![0]!["status_code"]!.GetValue<int>());
        Assert.Equal(409, (await server.OperatorAsync(HttpMethod.Post, $"/ops/v1/bindings/{appid}/EMS/e1/approve")).Status);
    }

    [Fact]
    public async Task Bind_Refused_ShowsStatus2WithTheReasonAndCanBeRequestedAgain()
    {
        await using var server = await StartAsync();
        var (token, appid) = await NewAppAsync(server);
        await CreateAccountAsync(server, "EMS", "e2", "pw");
        await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "EMS", "e2", "pw"));

        var refused = await server.OperatorAsync(HttpMethod.Post, $"/ops/v1/bindings/{appid}/EMS/e2/refuse", """{"reason":"contract missing"}""");
        Assert.Equal(200, refused.Status);

        var item = (await server.GetAsync($"{GetAll}?access_token={token}")).Json["list"]![0]!;
        Assert.Equal(2, item["status_code"]!.GetValue<int>());
        Assert.Equal("contract missing", item["remark_wrong_msg"]!.GetValue<string>());
        Assert.Equal(ErrorCodes.BindUnderReview,
            (await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "EMS", "e2", "pw"))).ErrCode);
    }

    [Theory]
    [InlineData("""{"type":"bind","biz_id":"x","delivery_id":"NOPE","password":"p"}""", ErrorCodes.DeliveryIdNotExist, "delivery_id not exist")]
    [InlineData("""{"type":"rebind","biz_id":"x","delivery_id":"YTO","password":"p"}""", ErrorCodes.DataFormatError,
        "data format error hint: [type must be bind or unbind]")]
    [InlineData("""{"biz_id":"x","delivery_id":"YTO","password":"p"}""", ErrorCodes.DataFormatError, "data format error hint: [type is required]")]
    [InlineData("""{"type":"bind","delivery_id":"YTO","password":"p"}""", ErrorCodes.DataFormatError, "data format error hint: [biz_id is required]")]
    [InlineData("""{"type":"bind","biz_id":"x","delivery_id":"YTO"}""", ErrorCodes.DataFormatError, "data format error hint: [password is required]")]
    [InlineData("""{"type":"bind","biz_id":"x","delivery_id":"YTO","password":1}""", ErrorCodes.DataFormatError, "data format error")]
    [InlineData("", ErrorCodes.EmptyPostData, "empty post data")]
    public async Task Bind_BadRequest_AnswersItsErrcode(string body, int errcode, string text)
    {
        await using var server = await StartAsync();
        var (token, _) = await NewAppAsync(server);

        Spec.AssertError(await server.PostAsync($"{Bind}?access_token={token}", body), errcode, text);
    }

    [Fact]
    public async Task AccountOfAnotherApp_UnderReview_AndMissing_AllAnswerTheSame9300525()
    {
        await using var server = await StartAsync();
        var (token, _) = await NewAppAsync(server, "intruder");
        await CreateAccountAsync(server, "EMS", "pending", "pw");
        await server.PostAsync($"{Bind}?access_token={token}", BindBody("bind", "EMS", "pending", "pw"));
        await CreateAccountAsync(server, "ZTO", "exists-unbound", "pw", credit: 3);

        // YTO/xyz exists and is bound to the demo app; ZTO/exists-unbound exists, bound to nobody; ZTO/ghost does not exist.
        var answers = new List<WireResponse>();
        foreach (var body in new[]
                 {
                     """{"delivery_id":"YTO","biz_id":"xyz"}""",
                     """{"delivery_id":"ZTO","biz_id":"exists-unbound"}""",
                     """{"delivery_id":"ZTO","biz_id":"ghost"}""",
                 })
        {
            answers.Add(await server.PostAsync($"{Quota}?access_token={token}", body));
        }

        foreach (var a in answers) Spec.AssertError(a, ErrorCodes.BizIdNotBound, "bizid not bind");
        // The list of one app never shows another's bindings.
        var mine = (await server.GetAsync($"{GetAll}?access_token={token}")).Json["list"]!.AsArray();
        Assert.Equal(["pending"], mine.Select(i => i!["biz_id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Bind_PasswordIsStoredOnlyAsASaltedHash()
    {
        await using var server = await StartAsync();
        await CreateAccountAsync(server, "ZTO", "hashme", "a-very-distinct-password-42");

        var dump = await Engine.DumpAsync(server.Storage, TestContext.Current.CancellationToken);
        Assert.Contains("hashme", dump, StringComparison.Ordinal);
        Assert.DoesNotContain("a-very-distinct-password-42", dump, StringComparison.Ordinal);
    }
}

public sealed class AccountApiTests_Sqlite : AccountApiTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class AccountApiTests_Postgres : AccountApiTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
