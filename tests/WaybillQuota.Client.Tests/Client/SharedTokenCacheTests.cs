using Microsoft.Extensions.DependencyInjection;
using WaybillQuota.Client.Tests.Infrastructure;

namespace WaybillQuota.Client.Tests.Client;

/// <summary>Several client instances (as if in several processes) sharing one token through a real Redis.</summary>
public sealed class SharedTokenCacheTests(ServerFixture server, RedisFixture redis) : IClassFixture<RedisFixture>
{
    private const int Instances = 8;
    private const int CallersPerInstance = 4;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TokenMode.Stable)]
    [InlineData(TokenMode.Classic)]
    public async Task GetQuotaAsync_EightInstancesShareRedis_FetchTheTokenExactlyOnce(TokenMode mode)
    {
        var configuration = redis.Require();
        var (appId, secret) = await server.CreateAppAsync(Ct);
        var counter = new TokenFetchCounter();
        var prefix = "test:" + Guid.NewGuid().ToString("N") + ":";
        var providers = new List<ServiceProvider>();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                // Each instance has its own container, HttpClient, token provider and Redis connection: a process of its own.
                var services = new ServiceCollection();
                services.AddLogging();
                services.AddWaybillQuotaClient(o =>
                    {
                        o.BaseAddress = server.BaseAddress;
                        o.AppId = appId;
                        o.Secret = secret;
                        o.TokenMode = mode;
                        o.TokenCacheKeyPrefix = prefix;
                        o.TokenLockPollInterval = TimeSpan.FromMilliseconds(10);
                        // Generous, so a loaded machine never makes a waiter give up and fetch by itself.
                        o.TokenLockTimeout = TimeSpan.FromMinutes(1);
                    })
                    .AddHttpMessageHandler(() => new TokenFetchCountingHandler(counter));
                services.AddWaybillQuotaRedisTokenCache(configuration);
                providers.Add(services.BuildServiceProvider());
            }

            var clients = providers.Select(p => p.GetRequiredService<WeChatLogisticsClient>()).ToList();
            using var start = new ManualResetEventSlim();
            var calls = clients.SelectMany(client => Enumerable.Range(0, CallersPerInstance).Select(_ => Task.Run(async () =>
            {
                start.Wait(Ct);
                await client.GetAllDeliveryAsync(Ct);
                return await client.Tokens.GetTokenAsync(Ct);
            }, Ct))).ToList();
            start.Set();
            var tokens = await Task.WhenAll(calls);

            Assert.Equal(1, counter.Count);
            Assert.Single(tokens.Distinct());
        }
        finally
        {
            foreach (var provider in providers) await provider.DisposeAsync();
        }
    }

    [Fact]
    public async Task TryAcquireAsync_HeldByAnotherConnection_ReturnsNullUntilReleased()
    {
        var configuration = redis.Require();
        await using var first = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
        await using var second = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(configuration);
        var key = "test:lock:" + Guid.NewGuid().ToString("N");
        var lockA = new RedisTokenLock(first);
        var lockB = new RedisTokenLock(second);

        var held = await lockA.TryAcquireAsync(key, TimeSpan.FromMinutes(1), Ct);
        var refused = await lockB.TryAcquireAsync(key, TimeSpan.FromMinutes(1), Ct);
        await held!.DisposeAsync();
        var taken = await lockB.TryAcquireAsync(key, TimeSpan.FromMinutes(1), Ct);

        Assert.NotNull(held);
        Assert.Null(refused);
        Assert.NotNull(taken);
        await taken.DisposeAsync();
    }

    private sealed class TokenFetchCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    private sealed class TokenFetchCountingHandler(TokenFetchCounter counter) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath is "/cgi-bin/token" or "/cgi-bin/stable_token") counter.Increment();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
