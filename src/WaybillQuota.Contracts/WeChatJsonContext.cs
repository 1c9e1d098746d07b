using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace WaybillQuota.Contracts;

/// <summary>
/// The one source-generated JSON context of the HTTP wire form (snake_case). Numbers are never read
/// from strings, so a field of the wrong JSON type fails to deserialize (errcode 47001 on the server).
/// Request bodies have settable properties (answers stay init-only): the generator fills init-only properties
/// through its constructor-argument path (an argument array and a buffered second pass per object), which was about
/// a fifth of getQuota's handler time.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(WeChatStatus))]
[JsonSerializable(typeof(AccessTokenResponse))]
[JsonSerializable(typeof(StableTokenRequest))]
[JsonSerializable(typeof(GetQuotaRequest))]
[JsonSerializable(typeof(GetQuotaResponse))]
[JsonSerializable(typeof(GetAllDeliveryResponse))]
[JsonSerializable(typeof(BindAccountRequest))]
[JsonSerializable(typeof(GetAllAccountResponse))]
[JsonSerializable(typeof(AddOrderRequest))]
[JsonSerializable(typeof(AddOrderResponse))]
[JsonSerializable(typeof(CancelOrderRequest))]
[JsonSerializable(typeof(CancelOrderResponse))]
[JsonSerializable(typeof(GetOrderRequest))]
[JsonSerializable(typeof(GetOrderResponse))]
[JsonSerializable(typeof(BatchGetOrderRequest))]
[JsonSerializable(typeof(BatchGetOrderResponse))]
public sealed partial class WeChatJsonContext : JsonSerializerContext
{
    /// <summary>
    /// The context to write the wire with: the options above, plus Chinese text and other non-ASCII characters
    /// written as UTF-8 rather than <c>\uXXXX</c> escapes, as WeChat writes them.
    /// </summary>
    public static WeChatJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
