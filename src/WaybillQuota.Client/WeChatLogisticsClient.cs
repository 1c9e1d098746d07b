using System.Diagnostics;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client;

/// <summary>
/// Typed client of the WeChat logistics (express business) API of one app, against WeChat or a WaybillQuota server.
/// Every call gets the access token from <see cref="Tokens"/>; when the platform refuses it (40001, 40014, 42001)
/// the client renews it and repeats the call once. Error envelopes throw <see cref="WeChatApiException"/>.
/// Thread-safe; keep one per app (from dependency injection, <see cref="IWaybillQuotaClientFactory"/> or
/// <see cref="Create"/>).
/// </summary>
public sealed class WeChatLogisticsClient
{
    private const string Business = "cgi-bin/express/business/";

    private readonly HttpClient _http;
    private readonly TokenEndpoint _tokenEndpoint;
    private readonly ClientMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    internal WeChatLogisticsClient(HttpClient http, TokenEndpoint tokenEndpoint, IAccessTokenProvider tokens,
        ClientMetrics metrics, TimeProvider time, ILogger logger)
    {
        _http = http;
        _tokenEndpoint = tokenEndpoint;
        Tokens = tokens;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>The appid this client calls as.</summary>
    public string AppId => _tokenEndpoint.Options.AppId;

    /// <summary>The root of the API this client calls.</summary>
    public Uri BaseAddress => _tokenEndpoint.Options.BaseAddress;

    /// <summary>The app's cached access token, for calls to other WeChat APIs.</summary>
    public IAccessTokenProvider Tokens { get; }

    /// <summary>
    /// Creates a client without dependency injection: the same retry, timeout and token handling as
    /// <c>services.AddWaybillQuotaClient</c>. Create it once per app and keep it.
    /// </summary>
    /// <param name="options">The app's settings; validated and copied.</param>
    /// <param name="primaryHandler">The innermost handler; default a <see cref="SocketsHttpHandler"/> that renews connections every 5 minutes.</param>
    /// <param name="timeProvider">The clock for token expiry and retry delays; default the system clock.</param>
    /// <param name="loggerFactory">Where the client logs (never a token or secret); default nowhere.</param>
    /// <param name="tokenCache">A cache to share the token with other processes (for example a <c>RedisCache</c>); default none.</param>
    /// <param name="tokenLock">With <paramref name="tokenCache"/>: the lock that lets one process fetch for all (for example <see cref="RedisTokenLock"/>).</param>
    /// <returns>The client.</returns>
    public static WeChatLogisticsClient Create(WaybillQuotaClientOptions options, HttpMessageHandler? primaryHandler = null,
        TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null, IDistributedCache? tokenCache = null,
        IDistributedTokenLock? tokenLock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = options.Clone();
        var time = timeProvider ?? TimeProvider.System;
        var loggers = loggerFactory ?? NullLoggerFactory.Instance;

        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        WeChatResilience.Configure(pipeline, settings);
#pragma warning disable CA2000 // The handlers belong to the HttpClient, which lives as long as the client.
        var handler = new ResilienceHandler(pipeline.Build())
        {
            InnerHandler = new RequestLoggingHandler(loggers.CreateLogger("WaybillQuota.Client.Http"))
            {
                InnerHandler = primaryHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            },
        };
        var http = new HttpClient(handler) { BaseAddress = settings.BaseAddress };
#pragma warning restore CA2000

        var endpoint = new TokenEndpoint(() => http, settings, ClientMetrics.Default);
        var logger = loggers.CreateLogger<WeChatLogisticsClient>();
        var provider = new AccessTokenProvider(endpoint.FetchAsync, settings, time, tokenCache, tokenLock,
            loggers.CreateLogger<AccessTokenProvider>());
        return new WeChatLogisticsClient(http, endpoint, provider, ClientMetrics.Default, time, logger);
    }

    /// <summary><c>GET /cgi-bin/token</c>: issues a new classic token (the previous one dies 5 minutes later). Not cached.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token and its lifetime.</returns>
    public Task<AccessTokenResponse> GetAccessTokenAsync(CancellationToken cancellationToken = default) =>
        _tokenEndpoint.GetClassicAsync(cancellationToken);

    /// <summary><c>POST /cgi-bin/stable_token</c>. Not cached.</summary>
    /// <param name="forceRefresh">Rotate at once: limited by the platform to 20 a day, 30 s apart. The client never does this by itself.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The token and its remaining lifetime.</returns>
    public Task<AccessTokenResponse> GetStableAccessTokenAsync(bool forceRefresh = false, CancellationToken cancellationToken = default) =>
        _tokenEndpoint.GetStableAsync(forceRefresh, cancellationToken);

    /// <summary>getQuota, <c>POST .../quota/get</c>: the electronic waybills left on a bound account.</summary>
    /// <param name="request">The carrier and the customer code.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The balance.</returns>
    public Task<GetQuotaResponse> GetQuotaAsync(GetQuotaRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("getQuota", "quota/get", request, WeChatJsonContext.Wire.GetQuotaRequest,
            WeChatJsonContext.Wire.GetQuotaResponse, cancellationToken);

    /// <summary>getQuota for <paramref name="deliveryId"/> and <paramref name="bizId"/>.</summary>
    /// <param name="deliveryId">The carrier, e.g. <c>YTO</c>.</param>
    /// <param name="bizId">The customer code at the carrier.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The number of waybills left.</returns>
    public async Task<int> GetQuotaAsync(string deliveryId, string bizId, CancellationToken cancellationToken = default)
    {
        var response = await GetQuotaAsync(new GetQuotaRequest { DeliveryId = deliveryId, BizId = bizId }, cancellationToken)
            .ConfigureAwait(false);
        return response.QuotaNum;
    }

    /// <summary>getAllDelivery, <c>GET .../delivery/getall</c>: the carrier catalogue.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The carriers.</returns>
    public Task<GetAllDeliveryResponse> GetAllDeliveryAsync(CancellationToken cancellationToken = default) =>
        CallAsync("getAllDelivery", HttpMethod.Get, "delivery/getall", null, WeChatJsonContext.Wire.GetAllDeliveryResponse,
            cancellationToken);

    /// <summary>bindAccount, <c>POST .../account/bind</c> with <c>type</c> <c>bind</c> or <c>unbind</c>.</summary>
    /// <param name="request">The binding.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"errcode":0,"errmsg":"ok"}</c>; errors throw.</returns>
    public Task<WeChatStatus> BindAccountAsync(BindAccountRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("bindAccount", "account/bind", request, WeChatJsonContext.Wire.BindAccountRequest,
            WeChatJsonContext.Wire.WeChatStatus, cancellationToken);

    /// <summary>Binds the account <paramref name="bizId"/> at <paramref name="deliveryId"/> to this app.</summary>
    /// <param name="deliveryId">The carrier.</param>
    /// <param name="bizId">The customer code.</param>
    /// <param name="password">The account's password.</param>
    /// <param name="remarkContent">A note for carriers that review bindings.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"errcode":0,"errmsg":"ok"}</c>; errors (9300529, 9300531, 9300532...) throw.</returns>
    public Task<WeChatStatus> BindAccountAsync(string deliveryId, string bizId, string password, string? remarkContent = null,
        CancellationToken cancellationToken = default) =>
        BindAccountAsync(new BindAccountRequest
        {
            Type = "bind",
            DeliveryId = deliveryId,
            BizId = bizId,
            Password = password,
            RemarkContent = remarkContent,
        }, cancellationToken);

    /// <summary>Unbinds the account <paramref name="bizId"/> at <paramref name="deliveryId"/> from this app.</summary>
    /// <param name="deliveryId">The carrier.</param>
    /// <param name="bizId">The customer code.</param>
    /// <param name="password">The account's password, for carriers that ask for it.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{"errcode":0,"errmsg":"ok"}</c>; 9300530 throws.</returns>
    public Task<WeChatStatus> UnbindAccountAsync(string deliveryId, string bizId, string? password = null,
        CancellationToken cancellationToken = default) =>
        BindAccountAsync(new BindAccountRequest { Type = "unbind", DeliveryId = deliveryId, BizId = bizId, Password = password },
            cancellationToken);

    /// <summary>getAllAccount, <c>GET .../account/getall</c>: this app's bindings with their balances.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The bindings.</returns>
    public Task<GetAllAccountResponse> GetAllAccountAsync(CancellationToken cancellationToken = default) =>
        CallAsync("getAllAccount", HttpMethod.Get, "account/getall", null, WeChatJsonContext.Wire.GetAllAccountResponse,
            cancellationToken);

    /// <summary>
    /// addOrder, <c>POST .../order/add</c>: spends one waybill. Retried on transient errors: the server answers an
    /// identical retry with the original waybill, without spending a second one.
    /// </summary>
    /// <param name="request">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The waybill.</returns>
    public Task<AddOrderResponse> AddOrderAsync(AddOrderRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("addOrder", "order/add", request, WeChatJsonContext.Wire.AddOrderRequest,
            WeChatJsonContext.Wire.AddOrderResponse, cancellationToken);

    /// <summary>cancelOrder, <c>POST .../order/cancel</c>: gives the waybill back, once.</summary>
    /// <param name="request">The order to cancel.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The carrier's answer; a repeated cancel throws 9300524.</returns>
    public Task<CancelOrderResponse> CancelOrderAsync(CancelOrderRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("cancelOrder", "order/cancel", request, WeChatJsonContext.Wire.CancelOrderRequest,
            WeChatJsonContext.Wire.CancelOrderResponse, cancellationToken);

    /// <summary>getOrder, <c>POST .../order/get</c>.</summary>
    /// <param name="request">The order to read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order, its status and its label.</returns>
    public Task<GetOrderResponse> GetOrderAsync(GetOrderRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("getOrder", "order/get", request, WeChatJsonContext.Wire.GetOrderRequest,
            WeChatJsonContext.Wire.GetOrderResponse, cancellationToken);

    /// <summary>batchGetOrder, <c>POST .../order/batchget</c>. Each item carries its own errcode; only an error of the whole call throws.</summary>
    /// <param name="request">The orders to read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One answer per order.</returns>
    public Task<BatchGetOrderResponse> BatchGetOrderAsync(BatchGetOrderRequest request, CancellationToken cancellationToken = default) =>
        PostAsync("batchGetOrder", "order/batchget", request, WeChatJsonContext.Wire.BatchGetOrderRequest,
            WeChatJsonContext.Wire.BatchGetOrderResponse, cancellationToken);

    private Task<TResponse> PostAsync<TRequest, TResponse>(string api, string path, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return CallAsync(api, HttpMethod.Post, path, WeChatHttp.Serialize(request, requestType), responseType, cancellationToken);
    }

    private async Task<TResponse> CallAsync<TResponse>(string api, HttpMethod method, string path, byte[]? body,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken)
    {
        using var activity = WaybillQuotaClientTelemetry.ActivitySource.StartActivity(api, ActivityKind.Client);
        activity?.SetTag("wechat.api", api);
        activity?.SetTag("wechat.appid", AppId);
        var started = _time.GetTimestamp();
        var errcode = 0;
        var cancelled = false;
        try
        {
            var token = await Tokens.GetTokenAsync(cancellationToken).ConfigureAwait(false);
            var answer = await SendAsync(api, method, path, token, body, cancellationToken).ConfigureAwait(false);
            if (WeChatEnvelope.TryRead(answer, out var envelope) && ErrorCodes.IsTokenRejected(envelope.ErrCode))
            {
                // Once only: a second refusal of a fresh token is a real error, never a loop.
                _logger.LogInformation("{Api} of {AppId}: the access token was refused with errcode {ErrCode}; retrying once with a fresh token.",
                    api, AppId, envelope.ErrCode);
                activity?.AddEvent(new ActivityEvent("token_rejected"));
                var fresh = await Tokens.RenewAsync(token, cancellationToken).ConfigureAwait(false);
                answer = await SendAsync(api, method, path, fresh, body, cancellationToken).ConfigureAwait(false);
            }

            return WeChatHttp.Read(answer, responseType, api);
        }
        catch (WeChatApiException ex)
        {
            errcode = ex.ErrorCode;
            activity?.SetStatus(ActivityStatusCode.Error, ex.ErrorMessage);
            activity?.SetTag("wechat.rid", ex.Rid);
            _metrics.Errors.Add(1, Tag("api", api), Tag("appid", AppId), Tag("errcode", errcode));
            throw;
        }
        catch (OperationCanceledException)
        {
            // The caller gave up: neither a success nor an errcode.
            cancelled = true;
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled");
            throw;
        }
        finally
        {
            if (!cancelled)
            {
                activity?.SetTag("wechat.errcode", errcode);
                _metrics.Calls.Add(1, Tag("api", api), Tag("appid", AppId), Tag("errcode", errcode));
                _metrics.Duration.Record(_time.GetElapsedTime(started).TotalSeconds, Tag("api", api), Tag("errcode", errcode));
            }
        }
    }

    private Task<byte[]> SendAsync(string api, HttpMethod method, string path, string token, byte[]? body,
        CancellationToken cancellationToken) =>
        WeChatHttp.SendAsync(_http, method, Business + path + "?access_token=" + Uri.EscapeDataString(token), body, api,
            cancellationToken);

    private static KeyValuePair<string, object?> Tag(string key, object? value) => new(key, value);
}
