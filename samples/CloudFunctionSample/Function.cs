using WaybillQuota.Client.Cloud;

namespace CloudFunctionSample;

/// <summary>
/// The C# twin of the documentation's cloud function:
/// <code>
/// const cloud = require('wx-server-sdk')
/// cloud.init()
/// exports.main = async (event, context) => {
///   const result = await cloud.openapi.logistics.getQuota({ deliveryId: 'YTO', bizId: 'xyz' })
///   return result
/// }
/// </code>
/// </summary>
public static class Function
{
    public static async Task<GetQuotaResult> MainAsync(WxCloud cloud, CancellationToken cancellationToken)
    {
        var result = await cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, cancellationToken);
        return result;
    }
}
