using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using WaybillQuota.Client;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registration of the WeChat logistics client.</summary>
public static class WaybillQuotaClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers the client of one app under the default name: inject <see cref="WeChatLogisticsClient"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the appid, the secret and, to use a WaybillQuota server, the base address.</param>
    /// <returns>The HttpClient builder of this app, to add handlers.</returns>
    public static IHttpClientBuilder AddWaybillQuotaClient(this IServiceCollection services, Action<WaybillQuotaClientOptions> configure) =>
        services.AddWaybillQuotaClient(Options.Options.DefaultName, configure);

    /// <summary>
    /// Registers the client of one app under <paramref name="name"/> (for example its appid); several apps can be
    /// registered side by side and obtained from <see cref="IWaybillQuotaClientFactory"/>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The name of this app's registration.</param>
    /// <param name="configure">Sets the appid, the secret and, to use a WaybillQuota server, the base address.</param>
    /// <returns>The HttpClient builder of this app, to add handlers.</returns>
    public static IHttpClientBuilder AddWaybillQuotaClient(this IServiceCollection services, string name,
        Action<WaybillQuotaClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configure);

        services.AddOptions<WaybillQuotaClientOptions>(name)
            .Configure(configure)
            .Validate(o => o.GetValidationError() is null, $"The WaybillQuota client options '{name}' are invalid: check AppId, BaseAddress and the time settings.")
            .ValidateOnStart();
        services.AddSingleton(new WaybillQuotaClientRegistration(name));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ClientMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<IWaybillQuotaClientFactory, WaybillQuotaClientFactory>();
        if (name == Options.Options.DefaultName)
        {
            services.TryAddTransient(sp => sp.GetRequiredService<IWaybillQuotaClientFactory>().CreateClient(name));
        }

        var builder = services.AddHttpClient(WaybillQuotaClientFactory.HttpClientName(name), (sp, http) =>
        {
            http.BaseAddress = sp.GetRequiredService<IOptionsMonitor<WaybillQuotaClientOptions>>().Get(name).BaseAddress;
        });
        // The factory's loggers write the whole URI, whose query holds the access token: replace them.
        builder.RemoveAllLoggers();
        builder.AddResilienceHandler("waybillquota", (pipeline, context) =>
        {
            var options = context.ServiceProvider.GetRequiredService<IOptionsMonitor<WaybillQuotaClientOptions>>().Get(name);
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            WeChatResilience.Configure(pipeline, options);
        });
        builder.AddHttpMessageHandler(sp =>
            new RequestLoggingHandler(sp.GetRequiredService<ILoggerFactory>().CreateLogger("WaybillQuota.Client.Http")));
        return builder;
    }

    /// <summary>
    /// Shares the access tokens of every registered app with other processes through Redis: a Redis
    /// <see cref="IDistributedCache"/> holds the token and a Redis lock (<see cref="RedisTokenLock"/>) lets exactly
    /// one process fetch it when it is due. The connection is opened on first use.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The StackExchange.Redis configuration string, e.g. <c>localhost:6379</c>.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddWaybillQuotaRedisTokenCache(this IServiceCollection services, string configuration)
    {
        ArgumentException.ThrowIfNullOrEmpty(configuration);
        return services.AddWaybillQuotaRedisTokenCache(_ => ConnectionMultiplexer.Connect(configuration));
    }

    /// <summary>Like <see cref="AddWaybillQuotaRedisTokenCache(IServiceCollection, string)"/>, with your connection.</summary>
    /// <param name="services">The services.</param>
    /// <param name="connection">Returns the Redis connection; called once.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddWaybillQuotaRedisTokenCache(this IServiceCollection services,
        Func<IServiceProvider, IConnectionMultiplexer> connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return services.AddWaybillQuotaTokenCache(
            sp =>
            {
                var shared = sp.GetRequiredService<SharedRedisConnection>();
                return new RedisCache(Options.Options.Create(new RedisCacheOptions
                {
                    ConnectionMultiplexerFactory = () => Task.FromResult(shared.Connection),
                }));
            },
            sp => new RedisTokenLock(sp.GetRequiredService<SharedRedisConnection>().Connection))
            .AddSingleton(sp => new SharedRedisConnection(connection(sp)));
    }

    /// <summary>
    /// Shares the access tokens of every registered app with other processes through any distributed cache; with a
    /// lock, exactly one process fetches a due token, without one each may fetch (harmless with stable tokens).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="cache">Returns the cache that holds the tokens.</param>
    /// <param name="tokenLock">Returns the cross-process lock, or null.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddWaybillQuotaTokenCache(this IServiceCollection services,
        Func<IServiceProvider, IDistributedCache> cache, Func<IServiceProvider, IDistributedTokenLock?>? tokenLock = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(cache);
        services.RemoveAll<TokenSharing>();
        services.AddSingleton(sp => new TokenSharing(cache(sp), tokenLock?.Invoke(sp)));
        return services;
    }
}
