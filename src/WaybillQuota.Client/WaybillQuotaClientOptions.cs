namespace WaybillQuota.Client;

/// <summary>How the client obtains access tokens.</summary>
public enum TokenMode
{
    /// <summary>
    /// <c>POST /cgi-bin/stable_token</c> with <c>force_refresh: false</c> (the default): the platform answers the same
    /// token while it is valid and rotates it in its last five minutes, so any number of callers and processes can
    /// fetch without invalidating each other.
    /// </summary>
    Stable,

    /// <summary>
    /// <c>GET /cgi-bin/token</c>: every fetch issues a new token and the previous one dies five minutes later, so
    /// several processes must share one token (see the distributed token cache) or they keep rotating each other out.
    /// </summary>
    Classic,
}

/// <summary>Settings of one app (one appid) of the WeChat logistics client.</summary>
public sealed class WaybillQuotaClientOptions
{
    /// <summary>The address of the real WeChat API, the default <see cref="BaseAddress"/>.</summary>
    public const string WeChatBaseAddress = "https://api.weixin.qq.com/";

    /// <summary>
    /// Root of the API. Default <c>https://api.weixin.qq.com/</c>; point it at a WaybillQuota server
    /// (for example <c>http://127.0.0.1:5080/</c>) and nothing else changes.
    /// </summary>
    public Uri BaseAddress { get; set; } = new(WeChatBaseAddress);

    /// <summary>The app's appid (<c>wx</c> and 16 hex digits). Required.</summary>
    public string AppId { get; set; } = "";

    /// <summary>The app's secret. Required to fetch tokens; it is never logged.</summary>
    public string Secret { get; set; } = "";

    /// <summary>Which token API to use. Default <see cref="TokenMode.Stable"/>.</summary>
    public TokenMode TokenMode { get; set; } = TokenMode.Stable;

    /// <summary>
    /// How long before its expiry a cached token is replaced. Default 3 minutes; between 1 second and 5 minutes,
    /// because a stable token is only rotated by the platform in the last 5 minutes of its life: refreshing earlier
    /// would be answered with the same token.
    /// </summary>
    public TimeSpan RefreshBeforeExpiry { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Retries of a call that failed with a transient errcode or a network fault. Default 3; 0 to 10.</summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>First retry delay; later ones grow exponentially, with jitter. Default 200 ms; 0 to 1 minute.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Time limit of one HTTP attempt. Default 10 seconds; 1 second to 5 minutes.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Prefix of the keys of shared tokens in the distributed cache. Default <c>waybillquota:token:</c>.</summary>
    public string TokenCacheKeyPrefix { get; set; } = "waybillquota:token:";

    /// <summary>
    /// With a distributed token cache: how long an instance waits for another instance that holds the fetch lock
    /// before it fetches by itself. Also the lock's time to live. Default 10 seconds; 1 second to 2 minutes.
    /// </summary>
    public TimeSpan TokenLockTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With a distributed token cache: how often a waiting instance looks for the token another instance fetched.
    /// Default 50 ms; 1 ms to 5 seconds.
    /// </summary>
    public TimeSpan TokenLockPollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        var error = GetValidationError();
        if (error is not null) throw new ArgumentException(error);
    }

    internal string? GetValidationError()
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri) return "BaseAddress must be an absolute URI.";
        if (string.IsNullOrWhiteSpace(AppId)) return "AppId is required.";
        if (!Enum.IsDefined(TokenMode)) return "TokenMode is not a known mode.";
        if (RefreshBeforeExpiry < TimeSpan.FromSeconds(1) || RefreshBeforeExpiry > TimeSpan.FromMinutes(5))
            return "RefreshBeforeExpiry must be between 1 second and 5 minutes.";
        if (MaxRetryAttempts is < 0 or > 10) return "MaxRetryAttempts must be between 0 and 10.";
        if (RetryBaseDelay < TimeSpan.Zero || RetryBaseDelay > TimeSpan.FromMinutes(1))
            return "RetryBaseDelay must be between 0 and 1 minute.";
        if (AttemptTimeout < TimeSpan.FromSeconds(1) || AttemptTimeout > TimeSpan.FromMinutes(5))
            return "AttemptTimeout must be between 1 second and 5 minutes.";
        if (string.IsNullOrEmpty(TokenCacheKeyPrefix)) return "TokenCacheKeyPrefix is required.";
        if (TokenLockTimeout < TimeSpan.FromSeconds(1) || TokenLockTimeout > TimeSpan.FromMinutes(2))
            return "TokenLockTimeout must be between 1 second and 2 minutes.";
        if (TokenLockPollInterval < TimeSpan.FromMilliseconds(1) || TokenLockPollInterval > TimeSpan.FromSeconds(5))
            return "TokenLockPollInterval must be between 1 ms and 5 seconds.";
        return null;
    }

    internal WaybillQuotaClientOptions Clone() => (WaybillQuotaClientOptions)MemberwiseClone();
}
