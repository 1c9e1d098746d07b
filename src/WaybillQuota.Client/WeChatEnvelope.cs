using System.Text.Json;

namespace WaybillQuota.Client;

/// <summary>
/// Reads the error envelope out of an answer. Every WeChat answer is HTTP 200; success bodies of getQuota and
/// friends carry no errcode at all, so an answer is an error exactly when its top-level <c>errcode</c> is not 0.
/// </summary>
internal readonly record struct WeChatEnvelope(int ErrCode, string? ErrMsg, int? DeliveryResultCode, string? DeliveryResultMessage)
{
    public bool IsError => ErrCode != 0;

    /// <summary>Reads the top-level envelope fields; false when the body is not a JSON object.</summary>
    public static bool TryRead(ReadOnlySpan<byte> json, out WeChatEnvelope envelope)
    {
        envelope = default;
        int errcode = 0;
        string? errmsg = null;
        int? resultCode = null;
        string? resultMsg = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) return false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("errcode"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var code)) errcode = code;
                }
                else if (reader.ValueTextEquals("errmsg"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) errmsg = reader.GetString();
                }
                else if (reader.ValueTextEquals("delivery_resultcode"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var rc)) resultCode = rc;
                }
                else if (reader.ValueTextEquals("delivery_resultmsg"u8))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String) resultMsg = reader.GetString();
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        envelope = new WeChatEnvelope(errcode, errmsg, resultCode, resultMsg);
        return true;
    }

    public WeChatApiException ToException(string api) =>
        new(ErrCode, ErrMsg ?? "", api)
        {
            DeliveryResultCode = DeliveryResultCode,
            DeliveryResultMessage = DeliveryResultMessage,
        };
}
