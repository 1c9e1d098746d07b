using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Cloud;

/// <summary>
/// The cloud-call wire form: the HTTP form's fields in lowerCamelCase (<c>deliveryId</c>, <c>quotaNum</c>), nested
/// objects too. Requests reuse the contract types of the HTTP form; answers are the <see cref="CloudResult"/> types.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(GetQuotaRequest))]
[JsonSerializable(typeof(BindAccountRequest))]
[JsonSerializable(typeof(AddOrderRequest))]
[JsonSerializable(typeof(CancelOrderRequest))]
[JsonSerializable(typeof(GetOrderRequest))]
[JsonSerializable(typeof(BatchGetOrderRequest))]
[JsonSerializable(typeof(GetQuotaResult))]
[JsonSerializable(typeof(GetAllDeliveryResult))]
[JsonSerializable(typeof(BindAccountResult))]
[JsonSerializable(typeof(GetAllAccountResult))]
[JsonSerializable(typeof(AddOrderResult))]
[JsonSerializable(typeof(CancelOrderResult))]
[JsonSerializable(typeof(GetOrderResult))]
[JsonSerializable(typeof(BatchGetOrderResult))]
public sealed partial class CloudJsonContext : JsonSerializerContext
{
    /// <summary>The context with Chinese and other non-ASCII text written as UTF-8, as the server writes it.</summary>
    public static CloudJsonContext Wire { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.Strict,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
