using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using WaybillQuota.Client.Tests.Infrastructure;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Tests.Client;

/// <summary>Token renewal, error mapping and retries of the client, against an in-memory fake so the clock can be fake.</summary>
public sealed class WeChatLogisticsClientTests
{
    private const string Rid = "0a1b2c3d-4e5f6a7b-8c9d0e1f";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WeChatLogisticsClient CreateClient(HttpMessageHandler handler, TokenMode mode = TokenMode.Stable) =>
        WeChatLogisticsClient.Create(new WaybillQuotaClientOptions
        {
            BaseAddress = new Uri("http://wechat.test/"),
            AppId = "wx0000000000000001",
            Secret = "0123456789abcdef0123456789abcdef",
            TokenMode = mode,
            RetryBaseDelay = TimeSpan.Zero,
        }, handler, _time);

    /// <summary>Throws a network fault on the calls for which <paramref name="fault"/> says so (the second: the first API call).</summary>
    private sealed class FaultingHandler(HttpMessageHandler inner, Func<bool> fault) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            fault() ? throw new HttpRequestException(HttpRequestError.ConnectionError, "connection reset") : base.SendAsync(request, cancellationToken);
    }

    private static string Error(int code) => JsonSerializer.Serialize(new WeChatStatus
    {
        ErrCode = code,
        ErrMsg = ErrorCodes.Message(code) + " rid: " + Rid,
    }, WeChatJsonContext.Default.WeChatStatus);

    [Fact]
    public async Task GetQuotaAsync_SuccessBodyWithoutErrcode_ReturnsQuota()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => """{"quota_num":210}""");
        var client = CreateClient(handler);

        var quota = await client.GetQuotaAsync("YTO", "xyz", Ct);

        Assert.Equal(210, quota);
        var call = Assert.Single(handler.ApiCalls);
        Assert.Equal("/cgi-bin/express/business/quota/get", call.Path);
        Assert.Equal("token-1", call.AccessToken);
        Assert.Equal("""{"delivery_id":"YTO","biz_id":"xyz"}""", call.Body);
    }

    [Fact]
    public async Task GetQuotaAsync_StableMode_FetchesStableTokenWithoutForceRefresh()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => """{"quota_num":1}""");
        var client = CreateClient(handler);

        await client.GetQuotaAsync("YTO", "xyz", Ct);

        var fetch = handler.Calls.First(c => c.TokenFetchNumber == 1);
        Assert.Equal("/cgi-bin/stable_token", fetch.Path);
        Assert.Equal(HttpMethod.Post, fetch.Method);
        using var body = JsonDocument.Parse(fetch.Body);
        Assert.Equal("client_credential", body.RootElement.GetProperty("grant_type").GetString());
        Assert.False(body.RootElement.GetProperty("force_refresh").GetBoolean());
    }

    [Fact]
    public async Task GetQuotaAsync_ErrorEnvelope_ThrowsWithErrcodeMessageAndRid()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => Error(ErrorCodes.BizIdNotBound));
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "nope", Ct));

        Assert.Equal(ErrorCodes.BizIdNotBound, ex.ErrorCode);
        Assert.Equal("bizid not bind", ex.ErrorMessage);
        Assert.Equal(Rid, ex.Rid);
        Assert.False(ex.IsTransient);
        Assert.Equal("getQuota", ex.Api);
        Assert.Single(handler.ApiCalls);
    }

    [Theory]
    [InlineData(ErrorCodes.InvalidCredential)]
    [InlineData(ErrorCodes.InvalidAccessToken)]
    [InlineData(ErrorCodes.AccessTokenExpired)]
    public async Task GetQuotaAsync_TokenRefusedOnce_RenewsTokenAndRetriesOnce(int errcode)
    {
        var handler = FakeWeChatHandler.WithTokens(call => call.AccessToken == "token-1" ? Error(errcode) : """{"quota_num":7}""");
        var client = CreateClient(handler);

        var quota = await client.GetQuotaAsync("YTO", "xyz", Ct);

        Assert.Equal(7, quota);
        Assert.Equal(["token-1", "token-2"], handler.ApiCalls.Select(c => c.AccessToken));
        Assert.Equal(2, handler.TokenFetches);
        Assert.DoesNotContain(handler.Calls, c => c.Body.Contains("\"force_refresh\":true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetQuotaAsync_FreshTokenRefusedToo_ThrowsAfterOneRetryWithoutLooping()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => Error(ErrorCodes.InvalidCredential));
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "xyz", Ct));

        Assert.Equal(ErrorCodes.InvalidCredential, ex.ErrorCode);
        Assert.True(ex.IsTokenRejected);
        Assert.Equal(2, handler.ApiCalls.Count());
        Assert.Equal(2, handler.TokenFetches);
    }

    [Fact]
    public async Task AddOrderAsync_TransientErrcodeInA200_IsRetriedWithTheSameBody()
    {
        var attempts = 0;
        var handler = FakeWeChatHandler.WithTokens(_ => Interlocked.Increment(ref attempts) < 3
            ? Error(ErrorCodes.SystemError)
            : """{"order_id":"o1","waybill_id":"YT1","waybill_data":[],"delivery_resultcode":0,"delivery_resultmsg":""}""");
        var client = CreateClient(handler);

        var answer = await client.AddOrderAsync(new AddOrderRequest { OrderId = "o1", DeliveryId = "YTO", BizId = "xyz" }, Ct);

        Assert.Equal("YT1", answer.WaybillId);
        var calls = handler.ApiCalls.ToList();
        Assert.Equal(3, calls.Count);
        Assert.Single(calls.Select(c => c.Body).Distinct());
        Assert.Equal(1, handler.TokenFetches);
    }

    [Fact]
    public async Task GetQuotaAsync_TransientErrorOutlastsRetries_ThrowsTransientException()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => Error(ErrorCodes.MinuteQuotaReached));
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "xyz", Ct));

        Assert.True(ex.IsTransient);
        Assert.Equal(1 + 3, handler.ApiCalls.Count());
    }

    [Fact]
    public async Task GetQuotaAsync_ServiceUnavailableThenOk_IsRetried()
    {
        var attempts = 0;
        var handler = FakeWeChatHandler.WithTokens(_ => """{"quota_num":3}""",
            status: _ => Interlocked.Increment(ref attempts) == 1 ? HttpStatusCode.ServiceUnavailable : HttpStatusCode.OK);
        var client = CreateClient(handler);

        Assert.Equal(3, await client.GetQuotaAsync("YTO", "xyz", Ct));
        Assert.Equal(2, handler.ApiCalls.Count());
    }

    [Fact]
    public async Task GetQuotaAsync_AlwaysServiceUnavailable_ThrowsSystemErrorWithHttpStatus()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => "", status: _ => HttpStatusCode.ServiceUnavailable);
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "xyz", Ct));

        Assert.Equal(ErrorCodes.SystemError, ex.ErrorCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ex.HttpStatusCode);
        Assert.True(ex.IsTransient);
        Assert.Equal(1 + 3, handler.ApiCalls.Count());
    }

    [Fact]
    public async Task GetQuotaAsync_NotFoundAnswer_IsNotRetried()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => "", status: _ => HttpStatusCode.NotFound);
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "xyz", Ct));

        Assert.Equal(HttpStatusCode.NotFound, ex.HttpStatusCode);
        Assert.Single(handler.ApiCalls);
    }

    [Fact]
    public async Task GetQuotaAsync_Call_RecordsAnActivityWithApiAndErrcode()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == WaybillQuotaClientTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var handler = FakeWeChatHandler.WithTokens(_ => Error(ErrorCodes.DeliveryIdNotExist));
        var client = CreateClient(handler);
        var appTag = client.AppId;

        await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("NOPE", "xyz", Ct));

        var activity = Assert.Single(stopped, a => a.OperationName == "getQuota" && Equals(a.GetTagItem("wechat.appid"), appTag)
            && Equals(a.GetTagItem("wechat.rid"), Rid));
        Assert.Equal(ErrorCodes.DeliveryIdNotExist, activity.GetTagItem("wechat.errcode"));
        Assert.Equal(ActivityStatusCode.Error, activity.Status);
    }

    [Fact]
    public async Task GetQuotaAsync_NetworkFaultThenOk_IsRetried()
    {
        var inner = FakeWeChatHandler.WithTokens(_ => """{"quota_num":4}""");
        var faults = 0;
        using var flaky = new FaultingHandler(inner, () => Interlocked.Increment(ref faults) == 2);
        var client = CreateClient(flaky);

        Assert.Equal(4, await client.GetQuotaAsync("YTO", "xyz", Ct));
        Assert.Single(inner.ApiCalls);
        Assert.Equal(3, faults);
    }

    [Fact]
    public async Task GetQuotaAsync_AnswerIsNotJson_ThrowsSystemError()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => "<html>gateway</html>");
        var client = CreateClient(handler);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.GetQuotaAsync("YTO", "xyz", Ct));

        Assert.Equal(ErrorCodes.SystemError, ex.ErrorCode);
        Assert.StartsWith("invalid response", ex.ErrorMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CancelOrderAsync_OkEnvelope_ReturnsCarrierResult()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => """{"errcode":0,"errmsg":"ok","delivery_resultcode":0,"delivery_resultmsg":""}""");
        var client = CreateClient(handler);

        var answer = await client.CancelOrderAsync(new CancelOrderRequest { OrderId = "o1", DeliveryId = "YTO", WaybillId = "YT1" }, Ct);

        Assert.Equal(0, answer.ErrCode);
        Assert.Equal("ok", answer.ErrMsg);
    }

    [Fact]
    public async Task GetAccessTokenAsync_ClassicToken_SendsCredentialsAsQueryToGet()
    {
        var handler = FakeWeChatHandler.WithTokens(_ => "{}");
        var client = CreateClient(handler, TokenMode.Classic);

        var token = await client.GetAccessTokenAsync(Ct);

        Assert.Equal("token-1", token.AccessToken);
        var fetch = Assert.Single(handler.Calls);
        Assert.Equal(HttpMethod.Get, fetch.Method);
        Assert.Equal("/cgi-bin/token", fetch.Path);
    }

    [Theory]
    [InlineData("bizid not bind rid: 5f8e0c1c-4d6e2a3b-1a2b3c4d", "bizid not bind", "5f8e0c1c-4d6e2a3b-1a2b3c4d")]
    [InlineData("data format error hint: [delivery_id is required] rid: 00000000-11111111-22222222", "data format error hint: [delivery_id is required]", "00000000-11111111-22222222")]
    [InlineData("system error", "system error", null)]
    public void Constructor_ErrmsgWithOrWithoutRid_SplitsTextAndRid(string errmsg, string text, string? rid)
    {
        var ex = new WeChatApiException(ErrorCodes.SystemError, errmsg);

        Assert.Equal(text, ex.ErrorMessage);
        Assert.Equal(rid, ex.Rid);
        Assert.Equal(errmsg, ex.RawErrorMessage);
    }

    [Fact]
    public void Validate_RefreshMarginLongerThanRenewalWindow_Throws()
    {
        var options = new WaybillQuotaClientOptions { AppId = "wx0000000000000001", RefreshBeforeExpiry = TimeSpan.FromMinutes(10) };

        var ex = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("RefreshBeforeExpiry", ex.Message, StringComparison.Ordinal);
    }
}
