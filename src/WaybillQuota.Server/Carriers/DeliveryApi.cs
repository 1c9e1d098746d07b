using WaybillQuota.Contracts;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Carriers;

public static class DeliveryApi
{
    public static IServiceCollection AddDeliveryApi(this IServiceCollection services) =>
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var catalog = sp.GetRequiredService<CarrierCatalog>();
            return new WeChatApi<NoBody, GetAllDeliveryResponse>("getAllDelivery", "/cgi-bin/express/business/delivery/getall",
                isPost: false, null, WeChatJsonContext.Wire.GetAllDeliveryResponse,
                (_, _) => ValueTask.FromResult<ApiResult<GetAllDeliveryResponse>>(catalog.Wire));
        });
}
