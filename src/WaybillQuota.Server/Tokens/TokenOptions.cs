using System.ComponentModel.DataAnnotations;

namespace WaybillQuota.Server.Tokens;

/// <summary>Configuration section <c>Tokens</c>. Defaults are WeChat's.</summary>
public sealed class TokenOptions
{
    public const string Section = "Tokens";

    /// <summary>Life of a new token, in seconds. Default 7200.</summary>
    [Range(600, 86_400)]
    public int LifetimeSeconds { get; set; } = 7200;

    /// <summary>How long a superseded token keeps working, in seconds; also the stable token's renewal window. Default 300.</summary>
    [Range(0, 3600)]
    public int OverlapSeconds { get; set; } = 300;

    /// <summary>Calls of <c>/cgi-bin/token</c> per app per day. Default 2000.</summary>
    [Range(1, int.MaxValue)]
    public int ClassicDailyLimit { get; set; } = 2000;

    /// <summary>Calls of <c>/cgi-bin/stable_token</c> per app per day. Default 500,000.</summary>
    [Range(1, int.MaxValue)]
    public int StableDailyLimit { get; set; } = 500_000;

    /// <summary>Calls of <c>/cgi-bin/stable_token</c> per app per minute. Default 10,000.</summary>
    [Range(1, int.MaxValue)]
    public int StableMinuteLimit { get; set; } = 10_000;

    /// <summary><c>force_refresh</c> rotations per app per day. Default 20.</summary>
    [Range(1, int.MaxValue)]
    public int ForceRefreshDailyLimit { get; set; } = 20;

    /// <summary>Least time between two <c>force_refresh</c> rotations, in seconds. Default 30.</summary>
    [Range(0, 3600)]
    public int ForceRefreshSpacingSeconds { get; set; } = 30;

    /// <summary>
    /// Base64 key from which stable tokens are derived (so the server can hand the same token out again while
    /// storing only its hash). When empty, one is generated on first start and kept in the database.
    /// </summary>
    public string? SigningKey { get; set; }
}
