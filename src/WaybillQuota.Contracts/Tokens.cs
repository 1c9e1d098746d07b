namespace WaybillQuota.Contracts;

/// <summary>Answer of <c>GET /cgi-bin/token</c> and <c>POST /cgi-bin/stable_token</c>.</summary>
public sealed record AccessTokenResponse
{
    public string AccessToken { get; init; } = "";

    /// <summary>Seconds the token stays valid from now.</summary>
    public int ExpiresIn { get; init; }
}

/// <summary>Body of <c>POST /cgi-bin/stable_token</c>.</summary>
public sealed record StableTokenRequest
{
    public string? GrantType { get; set; }
    public string? Appid { get; set; }
    public string? Secret { get; set; }

    /// <summary>Rotate at once (limited to 20 a day, 30 s apart).</summary>
    public bool? ForceRefresh { get; set; }
}
