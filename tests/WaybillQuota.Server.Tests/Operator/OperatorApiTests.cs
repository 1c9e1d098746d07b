using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Operator;

public abstract class OperatorApiTests : EngineTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong-key")]
    [InlineData("Basic abc")]
    public async Task AnyRoute_WithoutTheOperatorKey_Answers401ProblemDetails(string? authorization)
    {
        await using var server = await StartAsync();
        var headers = authorization is null ? null : new Dictionary<string, string> { ["Authorization"] = authorization };

        var r = await server.SendAsync(HttpMethod.Get, "/ops/v1/apps", headers: headers);

        Assert.Equal(401, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
        Assert.Equal(401, r.Json["status"]!.GetValue<int>());
    }

    [Fact]
    public async Task CreateApp_ShowsTheSecretOnceAndItWorksAtTheTokenRoute()
    {
        await using var server = await StartAsync();

        var created = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", """{"name":"shop","ip_allow_list":["127.0.0.1"]}""");

        Assert.Equal(201, created.Status);
        var appid = created.Json["appid"]!.GetValue<string>();
        var secret = created.Json["secret"]!.GetValue<string>();
        Assert.Matches("^wx[0-9a-f]{16}$", appid);
        Assert.Matches("^[0-9a-f]{32}$", secret);
        Assert.Equal(0, (await server.GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={appid}&secret={secret}")).ErrCode);

        var list = await server.OperatorAsync(HttpMethod.Get, "/ops/v1/apps");
        Assert.Contains(appid, list.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, list.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("\"secret\"", list.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{}""")]
    [InlineData("""{"name":""}""")]
    [InlineData("""{"name":"x","ip_allow_list":["not-an-ip"]}""")]
    [InlineData("""{"name":"x","daily_budget":0}""")]
    public async Task CreateApp_Invalid_Answers400(string body)
    {
        await using var server = await StartAsync();

        var r = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", body);

        Assert.Equal(400, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
    }

    [Fact]
    public async Task RotateSecret_OldSecretStopsWorkingAtOnce()
    {
        await using var server = await StartAsync();
        var demo = server.Demo;

        var rotated = await server.OperatorAsync(HttpMethod.Post, $"/ops/v1/apps/{demo.Appid}/secret");

        Assert.Equal(200, rotated.Status);
        var secret = rotated.Json["secret"]!.GetValue<string>();
        Assert.Equal(ErrorCodes.InvalidCredential,
            (await server.GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={demo.Appid}&secret={demo.Secret}")).ErrCode);
        Assert.Equal(0, (await server.GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={demo.Appid}&secret={secret}")).ErrCode);
        Assert.Equal(404, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps/wx0000000000000000/secret")).Status);
    }

    [Fact]
    public async Task IpAllowList_CallerNotInIt_Answers40164NamingTheIp()
    {
        await using var server = await StartAsync();
        var app = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", """{"name":"fenced","ip_allow_list":["10.1.2.3"]}""");
        var token = (await server.GetAsync(
                $"/cgi-bin/token?grant_type=client_credential&appid={app.Json["appid"]}&secret={app.Json["secret"]}"))
            .Json["access_token"]!.GetValue<string>();

        var r = await server.PostAsync($"/cgi-bin/express/business/quota/get?access_token={token}", """{"delivery_id":"YTO","biz_id":"xyz"}""");

        Spec.AssertError(r, ErrorCodes.InvalidIp, "invalid ip 127.0.0.1 ipv6 ::ffff:127.0.0.1, not in whitelist");
    }

    [Fact]
    public async Task CreateAccount_DuplicateOrUnknownCarrierOrInvalid_AnswersProblem()
    {
        await using var server = await StartAsync();

        Assert.Equal(201, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            """{"delivery_id":"ZTO","biz_id":"a1","password":"pw"}""")).Status);
        Assert.Equal(409, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            """{"delivery_id":"ZTO","biz_id":"a1","password":"pw"}""")).Status);
        Assert.Equal(404, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            """{"delivery_id":"NOPE","biz_id":"a1","password":"pw"}""")).Status);
        Assert.Equal(400, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            """{"delivery_id":"ZTO","biz_id":"a2"}""")).Status);

        var account = await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/ZTO/a1");
        Assert.Equal(0, account.Json["balance"]!.GetValue<int>());
        Assert.DoesNotContain("password", account.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credit_SameKeySameBody_AnswersTheFirstAnswerAndCreditsOnce()
    {
        await using var server = await StartAsync();

        var first = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":10,"note":"march"}""", "k-1");
        server.Time.Advance(TimeSpan.FromSeconds(5));
        var again = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":10,"note":"march"}""", "k-1");

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, again.Body);
        Assert.Equal(220, first.Json["balance"]!.GetValue<int>());
        var ledger = await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz/ledger");
        Assert.Equal(2, ledger.Json["items"]!.AsArray().Count);
        Assert.Equal(220, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz")).Json["balance"]!.GetValue<int>());
    }

    [Fact]
    public async Task Credit_SameKeyDifferentBody_Answers409AndChangesNothing()
    {
        await using var server = await StartAsync();
        await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":10}""", "k-2");

        var other = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":11}""", "k-2");

        Assert.Equal(409, other.Status);
        Assert.Equal("application/problem+json", other.ContentType);
        Assert.Equal(220, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz")).Json["balance"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("/ops/v1/accounts/YTO/xyz/credits", """{"amount":0}""", "k", 400)]
    [InlineData("/ops/v1/accounts/YTO/xyz/credits", """{"amount":-3}""", "k", 400)]
    [InlineData("/ops/v1/accounts/YTO/xyz/credits", """{"amount":3}""", null, 400)]
    [InlineData("/ops/v1/accounts/YTO/nobody/credits", """{"amount":3}""", "k", 404)]
    [InlineData("/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":0}""", "k", 400)]
    [InlineData("/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":-211}""", "k", 409)]
    public async Task LedgerChange_Invalid_IsRefusedAndTheBalanceIsUnchanged(string path, string body, string? key, int status)
    {
        await using var server = await StartAsync();

        var r = await server.OperatorAsync(HttpMethod.Post, path, body, key);

        Assert.Equal(status, r.Status);
        Assert.Equal(210, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz")).Json["balance"]!.GetValue<int>());
    }

    [Fact]
    public async Task Adjustment_DownToZero_IsAllowedAndOneMoreIsRefused()
    {
        await using var server = await StartAsync();

        var down = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":-210,"note":"audit"}""", "a-1");
        var below = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":-1}""", "a-2");

        Assert.Equal(0, down.Json["balance"]!.GetValue<int>());
        Assert.Equal("adjust", down.Json["entry"]!["kind"]!.GetValue<string>());
        Assert.Equal(409, below.Status);
        var token = await server.DemoTokenAsync();
        Assert.Equal("""{"quota_num":0}""",
            (await server.PostAsync($"/cgi-bin/express/business/quota/get?access_token={token}", """{"delivery_id":"YTO","biz_id":"xyz"}""")).Body);
    }

    [Fact]
    public async Task Ledger_Paging_WalksEveryEntryOnceInOrder()
    {
        await using var server = await StartAsync();
        for (var i = 0; i < 7; i++)
        {
            await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", $$"""{"amount":{{i + 1}}}""", $"page-{i}");
        }

        var seqs = new List<long>();
        long? after = 0;
        var pages = 0;
        while (after is not null)
        {
            Assert.True(pages < 10, "paging does not end");
            var page = await server.OperatorAsync(HttpMethod.Get, $"/ops/v1/accounts/YTO/xyz/ledger?after_seq={after}&limit=3");
            seqs.AddRange(page.Json["items"]!.AsArray().Select(e => e!["seq"]!.GetValue<long>()));
            after = page.Json["next_after_seq"]?.GetValue<long>();
            pages++;
        }

        Assert.Equal(Enumerable.Range(1, 8).Select(i => (long)i), seqs);
        Assert.Equal(3, pages);
        Assert.Equal(400, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz/ledger?limit=0")).Status);
        Assert.Equal(404, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/none/ledger")).Status);
    }

    [Fact]
    public async Task ConcurrentCreditsAndAdjustments_KeepBalanceEqualToTheSumOfTheLedger()
    {
        await using var server = await StartAsync();

        var changes = Enumerable.Range(0, 200).Select(i => i % 3 == 0
            ? server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":-2}""", $"c-{i}")
            : server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":1}""", $"c-{i}"));
        // Every key is also sent twice at once: the duplicates must not apply again.
        var duplicates = Enumerable.Range(0, 200).Where(i => i % 3 != 0).Select(i =>
            server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":1}""", $"c-{i}"));
        var answers = await Task.WhenAll(changes.Concat(duplicates));
        Assert.All(answers, a => Assert.Equal(200, a.Status));

        var entries = new List<System.Text.Json.Nodes.JsonNode>();
        long? after = 0;
        while (after is not null)
        {
            Assert.True(entries.Count < 10_000, "paging does not end");
            var page = await server.OperatorAsync(HttpMethod.Get, $"/ops/v1/accounts/YTO/xyz/ledger?after_seq={after}&limit=1000");
            entries.AddRange(page.Json["items"]!.AsArray()!);
            after = page.Json["next_after_seq"]?.GetValue<long>();
        }
        var balance = (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz")).Json["balance"]!.GetValue<int>();

        Assert.Equal(201, entries.Count);
        Assert.Equal(210 + 133 - (67 * 2), balance);
        Assert.Equal(balance, entries.Sum(e => e["delta"]!.GetValue<int>()));
        // balance_after chains: each entry's balance is the previous one's plus its delta, never negative.
        var running = 0;
        foreach (var e in entries)
        {
            running += e["delta"]!.GetValue<int>();
            Assert.Equal(running, e["balance_after"]!.GetValue<int>());
            Assert.True(running >= 0);
        }
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheOperatorRoutesOnly()
    {
        await using var server = await StartAsync();

        var doc = await server.GetAsync("/openapi/v1.json");

        Assert.Equal(200, doc.Status);
        var paths = doc.Json["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/ops/v1/apps", paths);
        Assert.Contains("/ops/v1/accounts/{deliveryId}/{bizId}/credits", paths);
        Assert.DoesNotContain(paths, p => p.StartsWith("/cgi-bin", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Healthz_AnswersHealthy()
    {
        await using var server = await StartAsync();

        var r = await server.GetAsync("/healthz");

        Assert.Equal(200, r.Status);
        Assert.Equal("Healthy", r.Body);
    }
}

public sealed class OperatorApiTests_Sqlite : OperatorApiTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class OperatorApiTests_Postgres : OperatorApiTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
