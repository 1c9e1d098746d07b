using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Tokens;

public abstract class TokenApiTests : EngineTests
{
    private const string Quota = "/cgi-bin/express/business/quota/get";
    private const string QuotaBody = """{"delivery_id":"YTO","biz_id":"xyz"}""";

    private static string ClassicUrl(string appid, string secret) =>
        $"/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}";

    private static string StableBody(string appid, string secret, bool force = false) =>
        $$"""{"grant_type":"client_credential","appid":"{{appid}}","secret":"{{secret}}","force_refresh":{{(force ? "true" : "false")}}}""";

    private static async Task<int> QuotaErrcodeAsync(ServerHost server, string token) =>
        (await server.PostAsync($"{Quota}?access_token={token}", QuotaBody)).ErrCode;

    [Fact]
    public async Task Token_Success_MatchesTheDocumentationShape()
    {
        await using var server = await StartAsync();

        var r = await server.GetAsync(ClassicUrl(server.Demo.Appid, server.Demo.Secret));

        Assert.Equal(200, r.Status);
        Assert.Equal("application/json; encoding=utf-8", r.ContentType);
        Spec.AssertSameShape(Spec.Json("token.response.json"), r.Json);
        Assert.Equal(7200, r.Json["expires_in"]!.GetValue<int>());
        Assert.Matches("^[A-Za-z0-9_-]{43}$", r.Json["access_token"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/cgi-bin/token?appid={0}&secret={1}", ErrorCodes.InvalidGrantType, "invalid grant_type")]
    [InlineData("/cgi-bin/token?grant_type=password&appid={0}&secret={1}", ErrorCodes.InvalidGrantType, "invalid grant_type")]
    [InlineData("/cgi-bin/token?grant_type=client_credential&secret={1}", ErrorCodes.AppIdMissing, "appid missing")]
    [InlineData("/cgi-bin/token?grant_type=client_credential&appid={0}", ErrorCodes.AppSecretMissing, "appsecret missing")]
    [InlineData("/cgi-bin/token?grant_type=client_credential&appid=wx0000000000000000&secret={1}", ErrorCodes.InvalidAppId, "invalid appid")]
    [InlineData("/cgi-bin/token?grant_type=client_credential&appid=nonsense&secret={1}", ErrorCodes.InvalidAppId, "invalid appid")]
    [InlineData("/cgi-bin/token?grant_type=client_credential&appid={0}&secret=00000000000000000000000000000000", ErrorCodes.InvalidCredential,
        "invalid credential, access_token is invalid or not latest")]
    [InlineData("/cgi-bin/token?grant_type=client_credential&appid={0}&secret=short", ErrorCodes.InvalidAppSecret, "invalid appsecret")]
    public async Task Token_BadRequest_AnswersItsErrcode(string template, int errcode, string text)
    {
        await using var server = await StartAsync();

        var r = await server.GetAsync(string.Format(System.Globalization.CultureInfo.InvariantCulture, template, server.Demo.Appid, server.Demo.Secret));

        Spec.AssertError(r, errcode, text);
    }

    [Fact]
    public async Task Token_Post_AnswersRequireGet()
    {
        await using var server = await StartAsync();

        Spec.AssertError(await server.PostAsync(ClassicUrl(server.Demo.Appid, server.Demo.Secret), "{}"), ErrorCodes.RequireGet,
            "require GET method");
    }

    [Fact]
    public async Task Token_NewToken_KeepsThePreviousOneWorkingForFiveMinutesThen40001()
    {
        await using var server = await StartAsync();
        var first = await server.DemoTokenAsync();
        var second = await server.DemoTokenAsync();
        Assert.NotEqual(first, second);

        server.Time.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(0, await QuotaErrcodeAsync(server, first));
        Assert.Equal(0, await QuotaErrcodeAsync(server, second));

        server.Time.Advance(TimeSpan.FromSeconds(1));
        Spec.AssertError(await server.PostAsync($"{Quota}?access_token={first}", QuotaBody), ErrorCodes.InvalidCredential,
            "invalid credential, access_token is invalid or not latest");
        Assert.Equal(0, await QuotaErrcodeAsync(server, second));
    }

    [Fact]
    public async Task Token_After7200Seconds_Answers42001()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        server.Time.Advance(TimeSpan.FromSeconds(7199));
        Assert.Equal(0, await QuotaErrcodeAsync(server, token));
        server.Time.Advance(TimeSpan.FromSeconds(1));
        Spec.AssertError(await server.PostAsync($"{Quota}?access_token={token}", QuotaBody), ErrorCodes.AccessTokenExpired,
            "access_token expired");
    }

    [Fact]
    public async Task Token_DailyLimit_Answers45009AndResetsAtChinaMidnight()
    {
        await using var server = await StartAsync(o => o.Settings["Tokens:ClassicDailyLimit"] = "3");
        var url = ClassicUrl(server.Demo.Appid, server.Demo.Secret);
        for (var i = 0; i < 3; i++) Assert.Equal(0, (await server.GetAsync(url)).ErrCode);

        Spec.AssertError(await server.GetAsync(url), ErrorCodes.DailyQuotaReached, "reach max api daily quota limit");

        // The clock starts at 2026-03-01T00:00Z = 08:00 in China; the China day ends at 16:00Z.
        server.Time.Advance(TimeSpan.FromHours(15) + TimeSpan.FromMinutes(59));
        Assert.Equal(ErrorCodes.DailyQuotaReached, (await server.GetAsync(url)).ErrCode);
        server.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, (await server.GetAsync(url)).ErrCode);
    }

    [Fact]
    public async Task Token_OfAnotherApp_CannotReadThisAppsAccount()
    {
        await using var server = await StartAsync();
        var other = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", """{"name":"other"}""");
        var token = (await server.GetAsync(ClassicUrl(other.Json["appid"]!.GetValue<string>(), other.Json["secret"]!.GetValue<string>())))
            .Json["access_token"]!.GetValue<string>();

        Spec.AssertError(await server.PostAsync($"{Quota}?access_token={token}", QuotaBody), ErrorCodes.BizIdNotBound, "bizid not bind");
    }

    [Fact]
    public async Task StableToken_Success_MatchesTheDocumentationShape()
    {
        await using var server = await StartAsync();

        var r = await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret));

        Spec.AssertSameShape(Spec.Json("token.response.json"), r.Json);
        Assert.Equal(7200, r.Json["expires_in"]!.GetValue<int>());
    }

    [Fact]
    public async Task StableToken_NormalMode_ReturnsTheSameTokenWithLessTimeLeft()
    {
        await using var server = await StartAsync();
        var body = StableBody(server.Demo.Appid, server.Demo.Secret);
        var first = (await server.PostAsync("/cgi-bin/stable_token", body)).Json;

        server.Time.Advance(TimeSpan.FromSeconds(1000));
        var second = (await server.PostAsync("/cgi-bin/stable_token", body)).Json;

        Assert.Equal(first["access_token"]!.GetValue<string>(), second["access_token"]!.GetValue<string>());
        Assert.Equal(6200, second["expires_in"]!.GetValue<int>());
    }

    [Fact]
    public async Task StableToken_InItsLastFiveMinutes_IsRenewedAndBothWorkUntilTheOldExpires()
    {
        await using var server = await StartAsync();
        var body = StableBody(server.Demo.Appid, server.Demo.Secret);
        var old = (await server.PostAsync("/cgi-bin/stable_token", body)).Json["access_token"]!.GetValue<string>();

        server.Time.Advance(TimeSpan.FromSeconds(6899));
        var stillOld = (await server.PostAsync("/cgi-bin/stable_token", body)).Json;
        Assert.Equal(old, stillOld["access_token"]!.GetValue<string>());
        Assert.Equal(301, stillOld["expires_in"]!.GetValue<int>());

        server.Time.Advance(TimeSpan.FromSeconds(1));
        var renewed = (await server.PostAsync("/cgi-bin/stable_token", body)).Json;
        var fresh = renewed["access_token"]!.GetValue<string>();
        Assert.NotEqual(old, fresh);
        Assert.Equal(7200, renewed["expires_in"]!.GetValue<int>());
        Assert.Equal(0, await QuotaErrcodeAsync(server, old));
        Assert.Equal(0, await QuotaErrcodeAsync(server, fresh));

        server.Time.Advance(TimeSpan.FromSeconds(300));
        Assert.NotEqual(0, await QuotaErrcodeAsync(server, old));
        Assert.Equal(0, await QuotaErrcodeAsync(server, fresh));
    }

    [Fact]
    public async Task StableToken_ExpiresInIsNeverBelowTheOverlap()
    {
        await using var server = await StartAsync();
        var body = StableBody(server.Demo.Appid, server.Demo.Secret);
        for (var step = 0; step < 30; step++)
        {
            var r = (await server.PostAsync("/cgi-bin/stable_token", body)).Json;
            Assert.InRange(r["expires_in"]!.GetValue<int>(), 300, 7200);
            server.Time.Advance(TimeSpan.FromSeconds(397));
        }
    }

    [Fact]
    public async Task StableToken_ForceRefresh_RotatesAtOnceAndKeepsTheOldOneFiveMinutes()
    {
        await using var server = await StartAsync();
        var old = (await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret)))
            .Json["access_token"]!.GetValue<string>();

        var forced = (await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret, force: true)))
            .Json["access_token"]!.GetValue<string>();

        Assert.NotEqual(old, forced);
        server.Time.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(0, await QuotaErrcodeAsync(server, old));
        server.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ErrorCodes.InvalidCredential, await QuotaErrcodeAsync(server, old));
        Assert.Equal(0, await QuotaErrcodeAsync(server, forced));
    }

    [Fact]
    public async Task StableToken_ForceRefreshWithin30Seconds_Answers45011()
    {
        await using var server = await StartAsync();
        var force = StableBody(server.Demo.Appid, server.Demo.Secret, force: true);
        Assert.Equal(0, (await server.PostAsync("/cgi-bin/stable_token", force)).ErrCode);

        server.Time.Advance(TimeSpan.FromSeconds(29));
        Spec.AssertError(await server.PostAsync("/cgi-bin/stable_token", force), ErrorCodes.MinuteQuotaReached,
            "api minute-quota reach limit must slower retry next minute");
        server.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, (await server.PostAsync("/cgi-bin/stable_token", force)).ErrCode);
    }

    [Fact]
    public async Task StableToken_TwentyFirstForceRefreshOfTheDay_Answers45009()
    {
        await using var server = await StartAsync();
        var force = StableBody(server.Demo.Appid, server.Demo.Secret, force: true);
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(0, (await server.PostAsync("/cgi-bin/stable_token", force)).ErrCode);
            server.Time.Advance(TimeSpan.FromSeconds(30));
        }

        Spec.AssertError(await server.PostAsync("/cgi-bin/stable_token", force), ErrorCodes.DailyQuotaReached,
            "reach max api daily quota limit");
        // Normal mode still works.
        Assert.Equal(0, (await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret))).ErrCode);
    }

    [Fact]
    public async Task StableToken_MinuteAndDailyLimits_Answer45011And45009()
    {
        await using var server = await StartAsync(o =>
        {
            o.Settings["Tokens:StableMinuteLimit"] = "2";
            o.Settings["Tokens:StableDailyLimit"] = "3";
        });
        var body = StableBody(server.Demo.Appid, server.Demo.Secret);
        Assert.Equal(0, (await server.PostAsync("/cgi-bin/stable_token", body)).ErrCode);
        Assert.Equal(0, (await server.PostAsync("/cgi-bin/stable_token", body)).ErrCode);
        Assert.Equal(ErrorCodes.MinuteQuotaReached, (await server.PostAsync("/cgi-bin/stable_token", body)).ErrCode);

        server.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(ErrorCodes.DailyQuotaReached, (await server.PostAsync("/cgi-bin/stable_token", body)).ErrCode);
    }

    [Fact]
    public async Task StableAndClassicTokens_AreIndependent()
    {
        await using var server = await StartAsync();
        var stable = (await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret)))
            .Json["access_token"]!.GetValue<string>();
        var classic = await server.DemoTokenAsync();
        await server.DemoTokenAsync();
        await server.DemoTokenAsync();

        server.Time.Advance(TimeSpan.FromMinutes(10));
        // Three classic rotations later, the stable token is untouched; the first classic one has been rotated out.
        Assert.Equal(0, await QuotaErrcodeAsync(server, stable));
        Assert.Equal(ErrorCodes.InvalidCredential, await QuotaErrcodeAsync(server, classic));
        var again = (await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret)))
            .Json["access_token"]!.GetValue<string>();
        Assert.Equal(stable, again);
    }

    [Theory]
    [InlineData("", ErrorCodes.EmptyPostData, "empty post data")]
    [InlineData("grant_type=client_credential", ErrorCodes.DataFormatError, "data format error")]
    [InlineData("""{"grant_type":"client_credential","appid":"wx0000000000000000","secret":"x","force_refresh":"yes"}""",
        ErrorCodes.DataFormatError, "data format error")]
    [InlineData("""{"grant_type":"authorization_code"}""", ErrorCodes.InvalidGrantType, "invalid grant_type")]
    [InlineData("""{"grant_type":"client_credential","secret":"x"}""", ErrorCodes.AppIdMissing, "appid missing")]
    [InlineData("""{"grant_type":"client_credential","appid":"wx0000000000000000"}""", ErrorCodes.AppSecretMissing, "appsecret missing")]
    [InlineData("""{"grant_type":"client_credential","appid":"wx0000000000000000","secret":"00000000000000000000000000000000"}""",
        ErrorCodes.InvalidAppId, "invalid appid")]
    public async Task StableToken_BadRequest_AnswersItsErrcode(string body, int errcode, string text)
    {
        await using var server = await StartAsync();

        Spec.AssertError(await server.PostAsync("/cgi-bin/stable_token", body), errcode, text);
    }

    [Fact]
    public async Task StableToken_WrongSecret_Answers40125AndGetAnswers43002()
    {
        await using var server = await StartAsync();

        Spec.AssertError(await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, new string('0', 32))),
            ErrorCodes.InvalidAppSecret, "invalid appsecret");
        Spec.AssertError(await server.GetAsync("/cgi-bin/stable_token"), ErrorCodes.RequirePost, "require POST method");
    }

    [Fact]
    public async Task Tokens_AreStoredOnlyAsHashes_AndNeverLogged()
    {
        await using var server = await StartAsync();
        var classic = await server.DemoTokenAsync();
        var stable = (await server.PostAsync("/cgi-bin/stable_token", StableBody(server.Demo.Appid, server.Demo.Secret)))
            .Json["access_token"]!.GetValue<string>();
        await server.PostAsync($"{Quota}?access_token={classic}", "not json");
        await server.PostAsync($"{Quota}?access_token={stable}", """{"delivery_id":"NOPE","biz_id":"x"}""");
        await server.PostAsync($"{Quota}?access_token={classic}x", QuotaBody);

        var log = server.Log.All;
        Assert.Contains("errcode 47001", log, StringComparison.Ordinal);
        Assert.DoesNotContain(classic, log, StringComparison.Ordinal);
        Assert.DoesNotContain(stable, log, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Demo.Secret, log, StringComparison.Ordinal);

        var database = await Engine.DumpAsync(server.Storage, TestContext.Current.CancellationToken);
        Assert.Contains(server.Demo.Appid, database, StringComparison.Ordinal);
        Assert.DoesNotContain(classic, database, StringComparison.Ordinal);
        Assert.DoesNotContain(stable, database, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Demo.Secret, database, StringComparison.Ordinal);
    }
}

public sealed class TokenApiTests_Sqlite : TokenApiTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class TokenApiTests_Postgres : TokenApiTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
