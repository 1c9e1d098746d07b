using System.Net;
using Microsoft.Extensions.Options;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Tokens;

/// <summary>Issues access tokens (classic and stable) and authenticates the calls that carry one.</summary>
public sealed class TokenService(IWaybillStore store, TimeProvider time, IOptions<TokenOptions> options, TokenKey key)
{
    private const string ClassicApi = "token";
    private const string StableApi = "stable_token";
    private const string ForceApi = "stable_token.force";
    private readonly TokenOptions _options = options.Value;

    /// <summary><c>GET /cgi-bin/token</c>: every call issues a new token; the previous one works 5 more minutes.</summary>
    public async Task<ApiResult<AccessTokenResponse>> IssueClassicAsync(string? grantType, string? appId, string? secret,
        CancellationToken cancellationToken)
    {
        var (app, error) = await CheckCredentialsAsync(grantType, appId, secret, ErrorCodes.InvalidCredential, cancellationToken);
        if (error is { } e) return e;

        var now = time.NowMs();
        var text = Secrets.NewToken();
        var token = new TokenRecord(Secrets.Hash(text), app!.AppId, TokenKind.Classic, null, now,
            now + (_options.LifetimeSeconds * 1000L), null);
        var issued = await store.WriteAsync(tx =>
        {
            if (tx.IncrementUsage(token.AppId, ClassicApi, WeChatClock.DayStart(now)) > _options.ClassicDailyLimit) return false;
            if (tx.GetCurrentToken(token.AppId, TokenKind.Classic) is { } previous) tx.SupersedeToken(previous, now);
            tx.InsertToken(token);
            return true;
        }, cancellationToken);

        return issued
            ? new AccessTokenResponse { AccessToken = text, ExpiresIn = _options.LifetimeSeconds }
            : new ApiError(ErrorCodes.DailyQuotaReached);
    }

    /// <summary>
    /// <c>POST /cgi-bin/stable_token</c>: the same token while it has more than the overlap left to live; a new one
    /// in its last minutes (both valid until the old one expires); a new one at once on <c>force_refresh</c>.
    /// </summary>
    public async Task<ApiResult<AccessTokenResponse>> IssueStableAsync(StableTokenRequest request, CancellationToken cancellationToken)
    {
        var (app, error) = await CheckCredentialsAsync(request.GrantType, request.Appid, request.Secret,
            ErrorCodes.InvalidAppSecret, cancellationToken);
        if (error is { } e) return e;

        var now = time.NowMs();
        var force = request.ForceRefresh == true;
        var overlapMs = _options.OverlapSeconds * 1000L;
        var spacingMs = _options.ForceRefreshSpacingSeconds * 1000L;
        var nonce = System.Security.Cryptography.RandomNumberGenerator.GetBytes(16);
        var keyBytes = await key.GetAsync(cancellationToken);
        var fresh = new TokenRecord(Secrets.Hash(Secrets.DerivedToken(keyBytes, nonce)), app!.AppId, TokenKind.Stable, nonce,
            now, now + (_options.LifetimeSeconds * 1000L), null);

        var outcome = await store.WriteAsync<(int Error, TokenRecord? Token)>(tx =>
        {
            var day = WeChatClock.DayStart(now);
            if (tx.IncrementUsage(fresh.AppId, StableApi, day) > _options.StableDailyLimit) return (ErrorCodes.DailyQuotaReached, null);
            if (tx.IncrementUsage(fresh.AppId, StableApi, WeChatClock.MinuteStart(now)) > _options.StableMinuteLimit)
                return (ErrorCodes.MinuteQuotaReached, null);

            var current = tx.GetCurrentToken(fresh.AppId, TokenKind.Stable);
            if (force)
            {
                if (tx.GetUsage(fresh.AppId, ForceApi, day) >= _options.ForceRefreshDailyLimit) return (ErrorCodes.DailyQuotaReached, null);
                var lastForce = tx.GetSetting(LastForceKey(fresh.AppId));
                if (lastForce is not null && now - long.Parse(lastForce, System.Globalization.CultureInfo.InvariantCulture) < spacingMs)
                    return (ErrorCodes.MinuteQuotaReached, null);
                tx.IncrementUsage(fresh.AppId, ForceApi, day);
                tx.SetSetting(LastForceKey(fresh.AppId), now.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else if (current is not null && now < current.ExpiresAt - overlapMs)
            {
                return (0, current);
            }

            if (current is not null) tx.SupersedeToken(current, now);
            tx.InsertToken(fresh);
            return (0, fresh);
        }, cancellationToken);

        if (outcome.Error != 0) return new ApiError(outcome.Error);
        var token = outcome.Token!;
        return new AccessTokenResponse
        {
            AccessToken = Secrets.DerivedToken(keyBytes, token.Nonce!),
            ExpiresIn = (int)((token.ExpiresAt - now) / 1000),
        };
    }

    private static string LastForceKey(string appId) => $"stable_token.last_force:{appId}";

    private async ValueTask<(AppRecord? App, ApiError? Error)> CheckCredentialsAsync(string? grantType, string? appId,
        string? secret, int wrongSecretCode, CancellationToken cancellationToken)
    {
        if (grantType != "client_credential") return (null, new ApiError(ErrorCodes.InvalidGrantType));
        if (string.IsNullOrEmpty(appId)) return (null, new ApiError(ErrorCodes.AppIdMissing));
        if (string.IsNullOrEmpty(secret)) return (null, new ApiError(ErrorCodes.AppSecretMissing));
        var app = Secrets.IsWellFormedAppId(appId) ? await store.FindAppAsync(appId, cancellationToken) : null;
        if (app is null) return (null, new ApiError(ErrorCodes.InvalidAppId));
        if (!Secrets.IsWellFormedAppSecret(secret)) return (null, new ApiError(ErrorCodes.InvalidAppSecret));
        if (!Secrets.HashMatches(secret, app.SecretHash)) return (null, new ApiError(wrongSecretCode));
        return (app, null);
    }

    /// <summary>
    /// Authenticates a call by its <c>access_token</c> (or <c>authorizer_access_token</c>) query parameter:
    /// 41001 missing, 40014 malformed, 40001 unknown or rotated out, 42001 expired, 40164 caller IP not allowed.
    /// On a single node this touches no database: tokens and apps are in the store's read model.
    /// </summary>
    public ValueTask<(AppRecord? App, ApiError? Error)> AuthenticateAsync(HttpContext context)
    {
        var query = context.Request.QueryString.Value;
        var memo = QueryTokenMemo.For(context);
        if (memo is null || !memo.TryGet(query, out var hash))
        {
            // This half is synchronous, so the token can stay a span over the query string until it is hashed.
            var text = AccessTokenQuery.Read(query);
            if (text.IsEmpty) return Refused(ErrorCodes.AccessTokenMissing);
            if (!Secrets.IsWellFormedToken(text)) return Refused(ErrorCodes.InvalidAccessToken);
            hash = default;
            Secrets.Hash(text, hash);
            memo?.Remember(query!, hash);
        }
        return AuthenticateAsync(hash, context);
    }

    private static ValueTask<(AppRecord? App, ApiError? Error)> Refused(int errcode) =>
        ValueTask.FromResult<(AppRecord?, ApiError?)>((null, new ApiError(errcode)));

    private async ValueTask<(AppRecord? App, ApiError? Error)> AuthenticateAsync(TokenHash hash, HttpContext context)
    {
        var token = await store.FindTokenAsync(hash, context.RequestAborted);
        if (token is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(token.Hash, hash))
            return (null, new ApiError(ErrorCodes.InvalidCredential));

        var now = time.NowMs();
        if (token.SupersededAt is { } superseded && now >= superseded + (_options.OverlapSeconds * 1000L))
            return (null, new ApiError(ErrorCodes.InvalidCredential));
        if (now >= token.ExpiresAt) return (null, new ApiError(ErrorCodes.AccessTokenExpired));

        var app = await store.FindAppAsync(token.AppId, context.RequestAborted);
        if (app is null) return (null, new ApiError(ErrorCodes.InvalidCredential));
        if (app.IpAllowList.Count > 0 && !IsAllowed(app, context.Connection.RemoteIpAddress, out var ip))
        {
            return (null, new ApiError(ErrorCodes.InvalidIp, Message: $"invalid ip {ip} ipv6 ::ffff:{ip}, not in whitelist"));
        }
        return (app, null);
    }

    private static bool IsAllowed(AppRecord app, IPAddress? remote, out string ip)
    {
        var address = remote is null ? IPAddress.None : remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote;
        ip = address.ToString();
        foreach (var allowed in app.IpAllowList)
        {
            if (IPAddress.TryParse(allowed, out var a) && (a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a).Equals(address)) return true;
        }
        return false;
    }
}
