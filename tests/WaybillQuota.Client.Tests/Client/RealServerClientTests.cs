using System.Text.RegularExpressions;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using WaybillQuota.Client.Tests.Infrastructure;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Tests.Client;

/// <summary>The client against the real server on loopback.</summary>
public sealed partial class RealServerClientTests(ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [GeneratedRegex("^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$")]
    private static partial Regex RidFormat();

    private async Task<(WeChatLogisticsClient Client, string BizId, string Password)> BoundAppAsync(int waybills)
    {
        var (client, _, bizId, password) = await BoundAppWithSecretAsync(waybills);
        return (client, bizId, password);
    }

    private async Task<(WeChatLogisticsClient Client, string Secret, string BizId, string Password)> BoundAppWithSecretAsync(int waybills)
    {
        var (appId, secret) = await server.CreateAppAsync(Ct);
        const string password = "pw-123456";
        var bizId = await server.CreateAccountAsync("YTO", password, waybills, Ct);
        var client = WeChatLogisticsClient.Create(server.Options(appId, secret));
        await client.BindAccountAsync("YTO", bizId, password, cancellationToken: Ct);
        return (client, secret, bizId, password);
    }

    [Fact]
    public async Task GetQuotaAsync_DemoAccount_AnswersTheDocumentedBalance()
    {
        var client = WeChatLogisticsClient.Create(server.Options(server.DemoAppId, server.DemoSecret));

        var answer = await client.GetQuotaAsync(new GetQuotaRequest { DeliveryId = "YTO", BizId = "xyz" }, Ct);

        Assert.Equal(210, answer.QuotaNum);
    }

    [Fact]
    public async Task BindAccountAsync_NewAccount_ListsItWithItsBalanceAndAnswersQuota()
    {
        var (client, bizId, _) = await BoundAppAsync(waybills: 42);

        var accounts = await client.GetAllAccountAsync(Ct);
        var quota = await client.GetQuotaAsync("YTO", bizId, Ct);

        var account = Assert.Single(accounts.List);
        Assert.Equal(bizId, account.BizId);
        Assert.Equal(0, account.StatusCode);
        Assert.Equal(42, account.QuotaNum);
        Assert.Equal(42, quota);
    }

    [Fact]
    public async Task GetQuotaAsync_AfterUnbind_ThrowsBizIdNotBoundWithRid()
    {
        var (client, bizId, password) = await BoundAppAsync(waybills: 1);
        await client.UnbindAccountAsync("YTO", bizId, password, Ct);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", bizId, Ct));

        Assert.Equal(ErrorCodes.BizIdNotBound, ex.ErrorCode);
        Assert.Equal("bizid not bind", ex.ErrorMessage);
        Assert.Matches(RidFormat(), ex.Rid);
        Assert.False(ex.IsTransient);
    }

    [Fact]
    public async Task BindAccountAsync_AlreadyBound_ThrowsAccountAlreadyBound()
    {
        var (client, bizId, password) = await BoundAppAsync(waybills: 0);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.BindAccountAsync("YTO", bizId, password, cancellationToken: Ct));

        Assert.Equal(ErrorCodes.AccountAlreadyBound, ex.ErrorCode);
    }

    [Fact]
    public async Task GetAllDeliveryAsync_Catalogue_ListsFranchiseCarrierWithQuota()
    {
        var client = WeChatLogisticsClient.Create(server.Options(server.DemoAppId, server.DemoSecret));

        var answer = await client.GetAllDeliveryAsync(Ct);

        Assert.Equal(answer.Count, answer.Data.Count);
        var yto = Assert.Single(answer.Data, d => d.DeliveryId == "YTO");
        Assert.Equal(1, yto.CanGetQuota);
        Assert.Contains(yto.ServiceType, s => s.ServiceType == 0);
    }

    [Fact]
    public async Task GetQuotaAsync_ClassicTokenMode_Works()
    {
        var options = server.Options(server.DemoAppId, server.DemoSecret);
        options.TokenMode = TokenMode.Classic;
        var client = WeChatLogisticsClient.Create(options);

        Assert.Equal(210, await client.GetQuotaAsync("YTO", "xyz", Ct));
    }

    [Fact]
    public async Task GetQuotaAsync_WrongSecret_ThrowsTokenErrorWithRid()
    {
        var client = WeChatLogisticsClient.Create(server.Options(server.DemoAppId, new string('0', 32)));

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "xyz", Ct));

        Assert.Contains(ex.ErrorCode, new[] { ErrorCodes.InvalidAppSecret, ErrorCodes.InvalidCredential });
        Assert.Matches(RidFormat(), ex.Rid);
    }

    [Fact]
    public async Task GetStableAccessTokenAsync_CalledTwice_AnswersTheSameToken()
    {
        var (appId, secret) = await server.CreateAppAsync(Ct);
        var client = WeChatLogisticsClient.Create(server.Options(appId, secret));

        var first = await client.GetStableAccessTokenAsync(cancellationToken: Ct);
        var second = await client.GetStableAccessTokenAsync(cancellationToken: Ct);

        Assert.Equal(first.AccessToken, second.AccessToken);
        Assert.InRange(second.ExpiresIn, 300, 7200);
    }

    [Fact]
    public async Task GetQuotaAsync_SharedCacheHoldsARefusedToken_DiscardsItThereAndSucceeds()
    {
        var cache = new DictionaryCache();
        var options = server.Options(server.DemoAppId, server.DemoSecret);
        var handler = new CountingHandler();
        var client = WeChatLogisticsClient.Create(options, handler, tokenCache: cache, tokenLock: new InProcessTokenLock());
        var key = ((AccessTokenProvider)client.Tokens).CacheKey;
        var now = DateTimeOffset.UtcNow;
        cache.Entries[key] = new CachedToken("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", now.AddHours(2), now.AddHours(1)).Serialize();

        var quota = await client.GetQuotaAsync("YTO", "xyz", Ct);

        Assert.Equal(210, quota);
        Assert.Equal(1, cache.Removals);
        Assert.Equal(1, handler.TokenFetches);
        Assert.NotEqual("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", CachedToken.Deserialize(cache.Entries[key])!.AccessToken);
    }

    [Fact]
    public async Task CreateClient_TwoNamedApps_EachCallsAsItsOwnApp()
    {
        var (client1, secret1, biz1, _) = await BoundAppWithSecretAsync(waybills: 5);
        var (client2, secret2, biz2, _) = await BoundAppWithSecretAsync(waybills: 9);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWaybillQuotaClient("shop", o => Copy(server.Options(client1.AppId, secret1), o));
        services.AddWaybillQuotaClient("outlet", o => Copy(server.Options(client2.AppId, secret2), o));
        await using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IWaybillQuotaClientFactory>();

        var shop = factory.CreateClient("shop");
        var outlet = factory.CreateClient("outlet");

        Assert.Equal(5, await shop.GetQuotaAsync("YTO", biz1, Ct));
        Assert.Equal(9, await outlet.GetQuotaAsync("YTO", biz2, Ct));
        var crossed = await Assert.ThrowsAsync<WeChatApiException>(() => shop.GetQuotaAsync("YTO", biz2, Ct));
        Assert.Equal(ErrorCodes.BizIdNotBound, crossed.ErrorCode);
        Assert.Same(shop.Tokens, factory.CreateClient("shop").Tokens);
        Assert.Throws<InvalidOperationException>(() => factory.CreateClient("unknown"));
    }

    [Fact]
    public async Task AddWaybillQuotaClient_CallsAndErrors_LogNoTokenNorSecret()
    {
        var (appId, secret) = await server.CreateAppAsync(Ct);
        var logs = new FakeLogCollector();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        services.AddWaybillQuotaClient(o => Copy(server.Options(appId, secret), o));
        services.AddWaybillQuotaClient("classic", o =>
        {
            Copy(server.Options(appId, secret), o);
            o.TokenMode = TokenMode.Classic;
        });
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<WeChatLogisticsClient>();
        var classic = provider.GetRequiredService<IWaybillQuotaClientFactory>().CreateClient("classic");

        await client.GetAllDeliveryAsync(Ct);
        await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "nobody", Ct));
        await classic.GetAllAccountAsync(Ct);
        var tokens = new[] { await client.Tokens.GetTokenAsync(Ct), await classic.Tokens.GetTokenAsync(Ct) };

        var records = logs.GetSnapshot();
        var text = string.Join("\n", records.Select(r => r.Message + " " + string.Join(" ", r.StructuredState?.Select(kv => kv.Value) ?? [])
            + " " + r.Exception));
        Assert.Contains("/cgi-bin/express/business/quota/get", text, StringComparison.Ordinal);
        Assert.Contains("/cgi-bin/token", text, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        Assert.All(tokens, t => Assert.DoesNotContain(t, text, StringComparison.Ordinal));
        Assert.DoesNotContain("access_token=", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetQuotaAsync_Error_CountsCallAndErrorByErrcode()
    {
        var (appId, secret) = await server.CreateAppAsync(Ct);
        using var calls = new MetricCollector<long>(null, WaybillQuotaClientTelemetry.Name, WaybillQuotaClientTelemetry.CallsInstrument);
        using var errors = new MetricCollector<long>(null, WaybillQuotaClientTelemetry.Name, WaybillQuotaClientTelemetry.ErrorsInstrument);
        using var fetches = new MetricCollector<long>(null, WaybillQuotaClientTelemetry.Name, WaybillQuotaClientTelemetry.TokenFetchesInstrument);
        var client = WeChatLogisticsClient.Create(server.Options(appId, secret));

        await client.GetAllDeliveryAsync(Ct);
        await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "nobody", Ct));

        bool Mine(CollectedMeasurement<long> m) => Equals(m.Tags["appid"], appId);
        Assert.Equal(2, calls.GetMeasurementSnapshot().Where(Mine).Sum(m => m.Value));
        var error = Assert.Single(errors.GetMeasurementSnapshot(), Mine);
        Assert.Equal(ErrorCodes.BizIdNotBound, error.Tags["errcode"]);
        Assert.Equal("getQuota", error.Tags["api"]);
        Assert.Equal(1, fetches.GetMeasurementSnapshot().Where(Mine).Sum(m => m.Value));
    }

    private static void Copy(WaybillQuotaClientOptions from, WaybillQuotaClientOptions to)
    {
        to.BaseAddress = from.BaseAddress;
        to.AppId = from.AppId;
        to.Secret = from.Secret;
        to.RetryBaseDelay = from.RetryBaseDelay;
    }
}
