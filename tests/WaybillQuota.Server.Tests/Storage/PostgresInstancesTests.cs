using Npgsql;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Storage;

/// <summary>
/// Several server instances on one PostgreSQL database, in this process (each with its own store, writer, read model
/// and listener, as separate processes have): what one instance commits, every other one answers at once.
/// </summary>
public sealed class PostgresInstancesTests
{
    private const string Quota = "/cgi-bin/express/business/quota/get";
    private const string QuotaBody = """{"delivery_id":"YTO","biz_id":"xyz"}""";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<ServerHost> StartAsync() =>
        ServerHost.StartAsync(new ServerHostOptions { Engine = PostgresEngine.Instance }, Ct);

    /// <summary>Another instance on the same database and clock.</summary>
    private static Task<ServerHost> JoinAsync(ServerHost first) =>
        ServerHost.StartAsync(new ServerHostOptions
        {
            Engine = first.Options.Engine,
            DataDirectory = first.DataDirectory,
            Storage = first.Storage,
            Time = first.Time,
        }, Ct);

    private static async Task<string> ClassicTokenAsync(ServerHost server) => await server.DemoTokenAsync();

    /// <summary>
    /// Invalidations travel by NOTIFY, after the commit, so "at once" is "within milliseconds": poll a little, bounded.
    /// (Balances and new tokens need no polling: they are read from the database.)
    /// </summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not within 10 s: {what}");
            await Task.Delay(20, Ct);
        }
    }

    [Fact]
    public async Task Token_IssuedOnOneInstance_IsAcceptedByTheOtherAtOnce()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);

        var token = await ClassicTokenAsync(a);

        Assert.Equal("""{"quota_num":210}""", (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).Body);
    }

    [Fact]
    public async Task ClassicRotation_OnAnotherInstance_OldTokenLivesFiveMinutesEverywhere()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);
        var first = await ClassicTokenAsync(a);
        // Both instances cache the first token as current.
        Assert.Equal(200, (await a.PostAsync($"{Quota}?access_token={first}", QuotaBody)).Status);
        Assert.Equal("""{"quota_num":210}""", (await b.PostAsync($"{Quota}?access_token={first}", QuotaBody)).Body);

        var second = await ClassicTokenAsync(b);
        a.Time.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal("""{"quota_num":210}""", (await a.PostAsync($"{Quota}?access_token={first}", QuotaBody)).Body);

        a.Time.Advance(TimeSpan.FromSeconds(1));
        foreach (var server in new[] { a, b })
        {
            await EventuallyAsync(async () => (await server.PostAsync($"{Quota}?access_token={first}", QuotaBody)).ErrCode
                == ErrorCodes.InvalidCredential, "the superseded token answers 40001");
            Assert.Equal("""{"quota_num":210}""", (await server.PostAsync($"{Quota}?access_token={second}", QuotaBody)).Body);
        }
    }

    [Fact]
    public async Task StableToken_RequestedAtOnceOnTwoInstances_IsOneTokenForAll()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);
        var body = $$"""{"grant_type":"client_credential","appid":"{{a.Demo.Appid}}","secret":"{{a.Demo.Secret}}"}""";

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? a : b).PostAsync("/cgi-bin/stable_token", body)));

        var tokens = answers.Select(r => r.Json["access_token"]!.GetValue<string>()).Distinct().ToList();
        Assert.Single(tokens);
        Assert.Equal("""{"quota_num":210}""", (await b.PostAsync($"{Quota}?access_token={tokens[0]}", QuotaBody)).Body);
    }

    [Fact]
    public async Task StableForceRefresh_Spacing_HoldsAcrossInstances()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);
        var force = $$"""{"grant_type":"client_credential","appid":"{{a.Demo.Appid}}","secret":"{{a.Demo.Secret}}","force_refresh":true}""";

        var answers = await Task.WhenAll(a.PostAsync("/cgi-bin/stable_token", force), b.PostAsync("/cgi-bin/stable_token", force));

        // One force_refresh per 30 s per app, whichever instance is asked.
        Assert.Single(answers, r => r.ErrCode == 0);
        Assert.Single(answers, r => r.ErrCode == ErrorCodes.MinuteQuotaReached);
    }

    [Fact]
    public async Task Credit_OnOneInstance_IsTheBalanceOnTheOtherAtOnce()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);
        var token = await ClassicTokenAsync(a);
        Assert.Equal("""{"quota_num":210}""", (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).Body);

        for (var i = 1; i <= 5; i++)
        {
            var r = await a.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":-1}""", $"spend-{i}");
            Assert.Equal(200, r.Status);
            // No polling: once the spend is acknowledged, the other instance answers the new balance.
            Assert.Equal($$"""{"quota_num":{{210 - i}}}""", (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).Body);
        }
    }

    [Fact]
    public async Task Unbind_OnOneInstance_EndsAccessOnTheOther()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);
        var token = await ClassicTokenAsync(a);
        Assert.Equal(200, (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).Status); // b caches the binding

        var unbind = await a.PostAsync($"/cgi-bin/express/business/account/bind?access_token={token}",
            $$"""{"type":"unbind","biz_id":"xyz","delivery_id":"YTO","password":"{{a.Demo.AccountPassword}}"}""");
        Assert.Equal(0, unbind.ErrCode);

        await EventuallyAsync(async () => (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).ErrCode == ErrorCodes.BizIdNotBound,
            "the other instance sees the binding gone");
    }

    [Fact]
    public async Task Listener_LosingItsConnection_StopsTheCacheThenStartsItEmpty()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);
        var store = (PostgresWaybillStore)b.Store;
        var token = await ClassicTokenAsync(a);
        Assert.Equal(200, (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).Status);
        var connects = store.ListenerConnects;

        // Cut every listener of this database; a change made meanwhile is a notification that b never receives.
        await using (var admin = new NpgsqlConnection(a.Storage["Storage:ConnectionString"]))
        {
            await admin.OpenAsync(Ct);
            await using var kill = new NpgsqlCommand(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = @name AND datname = current_database()",
                admin);
            kill.Parameters.AddWithValue("name", PostgresWaybillStore.ListenerApplicationName);
            Assert.Equal(2L, await kill.ExecuteScalarAsync(Ct));
        }
        var unbind = await a.PostAsync($"/cgi-bin/express/business/account/bind?access_token={token}",
            $$"""{"type":"unbind","biz_id":"xyz","delivery_id":"YTO","password":"{{a.Demo.AccountPassword}}"}""");
        Assert.Equal(0, unbind.ErrCode);

        await EventuallyAsync(() => Task.FromResult(store.ListenerConnects > connects && store.IsListening), "the listener reconnects");
        // Whether b answered from the database while it was down or from its emptied cache after, it never serves the old binding.
        Assert.Equal(ErrorCodes.BizIdNotBound, (await b.PostAsync($"{Quota}?access_token={token}", QuotaBody)).ErrCode);
        Assert.Equal(200, (await b.PostAsync($"{Quota}?access_token={await ClassicTokenAsync(b)}",
            """{"delivery_id":"TEST","biz_id":"test_biz_id"}""")).Status);
    }

    [Fact]
    public async Task IdempotencyKey_RetriedOnAnotherInstance_AnswersTheFirstAnswerAndAppliesOnce()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);

        var first = await a.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":7}""", "credit-once");
        var retry = await b.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":7}""", "credit-once");
        var other = await b.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":8}""", "credit-once");

        Assert.Equal(200, first.Status);
        Assert.Equal(first.Body, retry.Body);
        Assert.Equal(409, other.Status);
        var ledger = await b.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz/ledger");
        Assert.Equal(2, ledger.Json["items"]!.AsArray().Count); // the demo's seed and one credit
    }

    [Fact]
    public async Task IdempotencyKey_SentAtOnceToBothInstances_AppliesOnceAndEveryoneGetsTheSameAnswer()
    {
        await using var a = await StartAsync();
        await using var b = await JoinAsync(a);

        // Each round races one key on both instances, many times over, so some rounds collide inside the database.
        for (var round = 0; round < 10; round++)
        {
            var key = $"race-{round}";
            var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
                (i % 2 == 0 ? a : b).OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/adjustments", """{"amount":-1}""", key)));
            Assert.All(answers, r => Assert.Equal(200, r.Status));
            Assert.Single(answers.Select(r => r.Body).Distinct());
        }

        var ledger = await a.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz/ledger");
        Assert.Equal(11, ledger.Json["items"]!.AsArray().Count);
        Assert.Equal(200, (await a.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz")).Json["balance"]!.GetValue<int>());
    }

    [Fact]
    public async Task Instances_StartingAtOnceOnAnEmptyDatabase_MigrateOnceAndSeedTheDemoOnce()
    {
        var storage = await PostgresEngine.Instance.CreateDatabaseAsync("", Ct);
        var directory = Directory.CreateTempSubdirectory("waybillquota-test-").FullName;
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        var servers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => ServerHost.StartAsync(new ServerHostOptions
        {
            Engine = PostgresEngine.Instance,
            DataDirectory = directory,
            Storage = storage,
            Time = time,
        }, Ct)));
        try
        {
            await using var connection = new NpgsqlConnection(storage["Storage:ConnectionString"]);
            await connection.OpenAsync(Ct);
            await using var versions = new NpgsqlCommand("SELECT count(*), count(DISTINCT version) FROM schema_version", connection);
            await using (var reader = await versions.ExecuteReaderAsync(Ct))
            {
                await reader.ReadAsync(Ct);
                Assert.Equal(reader.GetInt64(1), reader.GetInt64(0));
            }
            await using var apps = new NpgsqlCommand("SELECT count(*) FROM apps", connection);
            Assert.Equal(1L, await apps.ExecuteScalarAsync(Ct));

            var token = await servers[0].DemoTokenAsync();
            foreach (var server in servers)
            {
                Assert.Equal("""{"quota_num":210}""", (await server.PostAsync($"{Quota}?access_token={token}", QuotaBody)).Body);
                // Every instance accepts the demo's operator key, the seeding one and the ones that waited for it.
                Assert.Equal(200, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/apps")).Status);
            }
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Store_RunsEveryTransactionWithSynchronousCommitOn()
    {
        await using var a = await StartAsync();
        var store = (PostgresWaybillStore)a.Store;

        var setting = await store.WriteAsync(tx => (string?)((SqlStoreTransaction)tx).Command("SELECT current_setting('synchronous_commit')").ExecuteScalar(), Ct);

        Assert.Equal("on", setting);
    }
}
