using System.Diagnostics;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client;

/// <summary>The two token APIs, called without any caching.</summary>
internal sealed class TokenEndpoint(Func<HttpClient> httpClient, WaybillQuotaClientOptions options, ClientMetrics metrics)
{
    public const string ClassicApi = "getAccessToken";
    public const string StableApi = "getStableAccessToken";

    public WaybillQuotaClientOptions Options => options;

    public Task<AccessTokenResponse> FetchAsync(CancellationToken cancellationToken) =>
        options.TokenMode == TokenMode.Classic
            ? GetClassicAsync(cancellationToken)
            : GetStableAsync(forceRefresh: false, cancellationToken);

    public Task<AccessTokenResponse> GetClassicAsync(CancellationToken cancellationToken)
    {
        var uri = "cgi-bin/token?grant_type=client_credential&appid=" + Uri.EscapeDataString(options.AppId)
            + "&secret=" + Uri.EscapeDataString(options.Secret);
        return CallAsync(ClassicApi, "classic", HttpMethod.Get, uri, null, cancellationToken);
    }

    public Task<AccessTokenResponse> GetStableAsync(bool forceRefresh, CancellationToken cancellationToken)
    {
        var body = new StableTokenRequest
        {
            GrantType = "client_credential",
            Appid = options.AppId,
            Secret = options.Secret,
            ForceRefresh = forceRefresh,
        };
        var content = WeChatHttp.Serialize(body, WeChatJsonContext.Wire.StableTokenRequest);
        return CallAsync(StableApi, "stable", HttpMethod.Post, "cgi-bin/stable_token", content, cancellationToken);
    }

    private async Task<AccessTokenResponse> CallAsync(string api, string mode, HttpMethod method, string uri,
        byte[]? content, CancellationToken cancellationToken)
    {
        using var activity = WaybillQuotaClientTelemetry.ActivitySource.StartActivity(api, ActivityKind.Client);
        activity?.SetTag("wechat.appid", options.AppId);
        activity?.SetTag("wechat.token_mode", mode);
        var errcode = 0;
        try
        {
            var body = await WeChatHttp.SendAsync(httpClient(), method, uri, content, api, cancellationToken).ConfigureAwait(false);
            return WeChatHttp.Read(body, WeChatJsonContext.Wire.AccessTokenResponse, api);
        }
        catch (WeChatApiException ex)
        {
            errcode = ex.ErrorCode;
            activity?.SetStatus(ActivityStatusCode.Error, ex.ErrorMessage);
            throw;
        }
        finally
        {
            activity?.SetTag("wechat.errcode", errcode);
            metrics.TokenFetches.Add(1,
                new KeyValuePair<string, object?>("appid", options.AppId),
                new KeyValuePair<string, object?>("mode", mode),
                new KeyValuePair<string, object?>("errcode", errcode));
        }
    }
}
