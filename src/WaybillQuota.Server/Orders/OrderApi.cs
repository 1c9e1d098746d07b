using WaybillQuota.Contracts;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Orders;

/// <summary>The order APIs (spec §5, docs/orders.md): addOrder spends one waybill, cancelOrder gives it back.</summary>
public static class OrderApi
{
    public const string AddPath = "/cgi-bin/express/business/order/add";
    public const string CancelPath = "/cgi-bin/express/business/order/cancel";
    public const string GetPath = "/cgi-bin/express/business/order/get";
    public const string BatchGetPath = "/cgi-bin/express/business/order/batchget";

    public static IServiceCollection AddOrderApi(this IServiceCollection services)
    {
        services.AddSingleton<OrderProcessor>();
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var orders = sp.GetRequiredService<OrderProcessor>();
            return new WeChatApi<AddOrderRequest, AddOrderResponse>("addOrder", AddPath, isPost: true,
                WeChatJsonContext.Wire.AddOrderRequest, WeChatJsonContext.Wire.AddOrderResponse,
                (call, request) => orders.AddAsync(call.AppId, request, call.CancellationToken));
        });
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var orders = sp.GetRequiredService<OrderProcessor>();
            return new WeChatApi<CancelOrderRequest, CancelOrderResponse>("cancelOrder", CancelPath, isPost: true,
                WeChatJsonContext.Wire.CancelOrderRequest, WeChatJsonContext.Wire.CancelOrderResponse,
                (call, request) => orders.CancelAsync(call.AppId, request, call.CancellationToken));
        });
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var orders = sp.GetRequiredService<OrderProcessor>();
            return new WeChatApi<GetOrderRequest, GetOrderResponse>("getOrder", GetPath, isPost: true,
                WeChatJsonContext.Wire.GetOrderRequest, WeChatJsonContext.Wire.GetOrderResponse,
                (call, request) => orders.GetAsync(call.AppId, request, call.CancellationToken));
        });
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var orders = sp.GetRequiredService<OrderProcessor>();
            return new WeChatApi<BatchGetOrderRequest, BatchGetOrderResponse>("batchGetOrder", BatchGetPath, isPost: true,
                WeChatJsonContext.Wire.BatchGetOrderRequest, WeChatJsonContext.Wire.BatchGetOrderResponse,
                (call, request) => orders.BatchGetAsync(call.AppId, request, call.CancellationToken));
        });
        return services;
    }
}
