using WaybillQuota.Contracts;
using WaybillQuota.Server.Accounts;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Quota;

/// <summary>getQuota, the seed API: the balance of electronic waybills of a bound franchise account.</summary>
public static class QuotaApi
{
    public const string Path = "/cgi-bin/express/business/quota/get";

    public static IServiceCollection AddQuotaApi(this IServiceCollection services) =>
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var guard = sp.GetRequiredService<AccountGuard>();
            return new WeChatApi<GetQuotaRequest, GetQuotaResponse>("getQuota", Path, isPost: true,
                WeChatJsonContext.Wire.GetQuotaRequest, WeChatJsonContext.Wire.GetQuotaResponse,
                (call, request) => GetQuotaAsync(guard, call, request));
        });

    public static async ValueTask<ApiResult<GetQuotaResponse>> GetQuotaAsync(AccountGuard guard, WeChatCall call, GetQuotaRequest request)
    {
        var (access, error) = await guard.ResolveAsync(call.AppId, request.DeliveryId, request.BizId, requireQuota: true,
            call.CancellationToken);
        if (error is { } e) return e;
        return new GetQuotaResponse { QuotaNum = access!.Account?.Balance ?? 0 };
    }
}
