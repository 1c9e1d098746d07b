using System.Collections.Concurrent;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace WaybillQuota.Client;

/// <summary>Gives the client of each registered app.</summary>
public interface IWaybillQuotaClientFactory
{
    /// <summary>The client of the app registered under <paramref name="name"/>; cheap, the token cache is per app.</summary>
    /// <param name="name">The name given to <c>AddWaybillQuotaClient</c>.</param>
    /// <returns>The client.</returns>
    WeChatLogisticsClient CreateClient(string name);
}

internal sealed record WaybillQuotaClientRegistration(string Name);

internal sealed record TokenSharing(IDistributedCache Cache, IDistributedTokenLock? Lock);

internal sealed class SharedRedisConnection(IConnectionMultiplexer connection) : IDisposable
{
    public IConnectionMultiplexer Connection { get; } = connection;

    public void Dispose() => Connection.Dispose();
}

internal sealed class WaybillQuotaClientFactory(
    IHttpClientFactory httpClientFactory,
    IOptionsMonitor<WaybillQuotaClientOptions> optionsMonitor,
    IEnumerable<WaybillQuotaClientRegistration> registrations,
    ClientMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IServiceProvider services) : IWaybillQuotaClientFactory, IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<App>> _apps = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = registrations.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);

    public static string HttpClientName(string name) => "WaybillQuota.Client:" + name;

    public WeChatLogisticsClient CreateClient(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_names.Contains(name))
            throw new InvalidOperationException($"No WaybillQuota client is registered under the name '{name}'.");
        var app = _apps.GetOrAdd(name, n => new Lazy<App>(() => CreateApp(n))).Value;
        return new WeChatLogisticsClient(httpClientFactory.CreateClient(HttpClientName(name)), app.Endpoint, app.Provider,
            metrics, time, loggerFactory.CreateLogger<WeChatLogisticsClient>());
    }

    public void Dispose()
    {
        foreach (var app in _apps.Values.Where(a => a.IsValueCreated)) app.Value.Provider.Dispose();
    }

    private App CreateApp(string name)
    {
        var options = optionsMonitor.Get(name).Clone();
        options.Validate();
        var endpoint = new TokenEndpoint(() => httpClientFactory.CreateClient(HttpClientName(name)), options, metrics);
        var sharing = services.GetService<TokenSharing>();
        var provider = new AccessTokenProvider(endpoint.FetchAsync, options, time, sharing?.Cache, sharing?.Lock,
            loggerFactory.CreateLogger<AccessTokenProvider>());
        return new App(endpoint, provider);
    }

    private sealed record App(TokenEndpoint Endpoint, AccessTokenProvider Provider);
}
