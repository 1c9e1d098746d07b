using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WaybillQuota.Client.Tests.Infrastructure;

namespace WaybillQuota.Client.Tests.Client;

/// <summary>What AddWaybillQuotaClient registers: options, retries, token renewal, the factory.</summary>
public sealed class DependencyInjectionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ServiceProvider Build(FakeWeChatHandler handler, Action<WaybillQuotaClientOptions>? more = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddWaybillQuotaClient(o =>
            {
                o.BaseAddress = new Uri("http://wechat.test/");
                o.AppId = "wx0000000000000002";
                o.Secret = "secret";
                o.RetryBaseDelay = TimeSpan.Zero;
                more?.Invoke(o);
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task AddWaybillQuotaClient_TransientErrcodeThenOk_RetriesThroughTheResilienceHandler()
    {
        var attempts = 0;
        var handler = FakeWeChatHandler.WithTokens(_ => Interlocked.Increment(ref attempts) == 1
            ? """{"errcode":-1,"errmsg":"system error rid: 00000000-00000000-00000000"}"""
            : """{"quota_num":11}""");
        await using var provider = Build(handler);

        var quota = await provider.GetRequiredService<WeChatLogisticsClient>().GetQuotaAsync("YTO", "xyz", Ct);

        Assert.Equal(11, quota);
        Assert.Equal(2, handler.ApiCalls.Count());
    }

    [Fact]
    public async Task AddWaybillQuotaClient_ClientsOfOneApp_ShareOneTokenCache()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => """{"quota_num":1}""");
        await using var provider = Build(handler);

        await provider.GetRequiredService<WeChatLogisticsClient>().GetQuotaAsync("YTO", "xyz", Ct);
        await provider.GetRequiredService<WeChatLogisticsClient>().GetQuotaAsync("YTO", "xyz", Ct);

        Assert.Equal(1, handler.TokenFetches);
    }

    [Fact]
    public async Task AddWaybillQuotaClient_TokenRefused_RenewsAndRetriesOnce()
    {
        var handler = FakeWeChatHandler.WithTokens(call => call.AccessToken == "token-1"
            ? """{"errcode":42001,"errmsg":"access_token expired rid: 00000000-00000000-00000000"}"""
            : """{"quota_num":2}""");
        await using var provider = Build(handler);

        var quota = await provider.GetRequiredService<WeChatLogisticsClient>().GetQuotaAsync("YTO", "xyz", Ct);

        Assert.Equal(2, quota);
        Assert.Equal(2, handler.TokenFetches);
    }

    [Fact]
    public async Task AddWaybillQuotaClient_InvalidOptions_FailsWhenTheClientIsCreated()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => "{}");
        await using var provider = Build(handler, o => o.AppId = "");

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<WeChatLogisticsClient>());

        Assert.Contains("invalid", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, handler.TokenFetches);
    }
}
