using System.Text.Json.Serialization;

namespace WaybillQuota.Contracts;

/// <summary>The WeChat error envelope; also the whole success answer of bind and similar routes.</summary>
public sealed record WeChatStatus
{
    [JsonPropertyName("errcode")] public int ErrCode { get; init; }
    [JsonPropertyName("errmsg")] public string ErrMsg { get; init; } = "";

    public static readonly WeChatStatus Ok = new() { ErrCode = 0, ErrMsg = "ok" };
}
