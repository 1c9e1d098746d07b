using WaybillQuota.Contracts;
using WaybillQuota.Server.Carriers;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Accounts;

/// <summary>bindAccount (bind, unbind) and getAllAccount: a mini program's bindings of carrier accounts.</summary>
public static class AccountApi
{
    public const int MaxPasswordBytes = 128;
    public const int MaxRemarkBytes = 256;

    public static IServiceCollection AddAccountApi(this IServiceCollection services)
    {
        services.AddSingleton<AccountGuard>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var accounts = sp.GetRequiredService<AccountService>();
            return new WeChatApi<BindAccountRequest, WeChatStatus>("bindAccount", "/cgi-bin/express/business/account/bind",
                isPost: true, WeChatJsonContext.Wire.BindAccountRequest, WeChatJsonContext.Wire.WeChatStatus,
                (call, request) => accounts.BindAsync(call.AppId, request, call.CancellationToken));
        });
        services.AddSingleton<IWeChatApi>(sp =>
        {
            var accounts = sp.GetRequiredService<AccountService>();
            return new WeChatApi<NoBody, GetAllAccountResponse>("getAllAccount", "/cgi-bin/express/business/account/getall",
                isPost: false, null, WeChatJsonContext.Wire.GetAllAccountResponse,
                (call, _) => accounts.GetAllAsync(call.AppId, call.CancellationToken));
        });
        return services;
    }
}

public sealed class AccountService(IWaybillStore store, CarrierCatalog carriers, TimeProvider time)
{
    public async ValueTask<ApiResult<WeChatStatus>> BindAsync(string appId, BindAccountRequest request, CancellationToken cancellationToken)
    {
        var bind = request.Type == "bind";
        if (!bind && request.Type != "unbind")
            return new ApiError(ErrorCodes.DataFormatError, string.IsNullOrEmpty(request.Type) ? "type is required" : "type must be bind or unbind");
        if (Fields.First(
                Fields.Required(request.DeliveryId, "delivery_id", AccountGuard.MaxIdBytes),
                Fields.Required(request.BizId, "biz_id", AccountGuard.MaxIdBytes),
                Fields.Required(request.Password, "password", AccountApi.MaxPasswordBytes),
                Fields.Length(request.RemarkContent, "remark_content", AccountApi.MaxRemarkBytes)) is { } invalid)
            return invalid;

        var carrier = carriers.Find(request.DeliveryId!);
        if (carrier is null) return new ApiError(ErrorCodes.DeliveryIdNotExist);

        var account = await store.FindAccountAsync(request.DeliveryId!, request.BizId!, cancellationToken);
        var existing = account is null ? null : await store.FindBindingAsync(appId, account.Id, cancellationToken);

        if (!bind)
        {
            if (account is null || existing is not { Status: BindingStatus.Bound or BindingStatus.UnderReview })
                return new ApiError(ErrorCodes.BizIdToUnbindNotExist);
            if (!Secrets.VerifyPassword(request.Password!, account.PasswordHash)) return new ApiError(ErrorCodes.BizIdOrPasswordInvalid);
            var now = time.NowMs();
            await store.WriteAsync(tx =>
            {
                var current = tx.GetBinding(appId, account.Id);
                if (current is not null) tx.UpsertBinding(current with { Status = BindingStatus.Unbound, UpdatedAt = now });
                return true;
            }, cancellationToken);
            return WeChatStatus.Ok;
        }

        if (account is null || !Secrets.VerifyPassword(request.Password!, account.PasswordHash))
            return new ApiError(ErrorCodes.BizIdOrPasswordInvalid);
        if (existing is { Status: BindingStatus.Bound }) return new ApiError(ErrorCodes.AccountAlreadyBound);
        if (existing is { Status: BindingStatus.UnderReview }) return new ApiError(ErrorCodes.BindUnderReview);

        var at = time.NowMs();
        var status = carrier.ReviewsBinding ? BindingStatus.UnderReview : BindingStatus.Bound;
        var outcome = await store.WriteAsync(tx =>
        {
            // Checked again inside the transaction: two concurrent binds of one account answer one ok, one 9300529.
            var current = tx.GetBinding(appId, account.Id);
            if (current is { Status: BindingStatus.Bound }) return ErrorCodes.AccountAlreadyBound;
            if (current is { Status: BindingStatus.UnderReview }) return ErrorCodes.BindUnderReview;
            tx.UpsertBinding(new BindingRecord(appId, account.Id, account.DeliveryId, account.BizId, status, "",
                request.RemarkContent ?? "", "", current?.CreatedAt ?? at, at));
            return status == BindingStatus.UnderReview ? ErrorCodes.BindUnderReview : ErrorCodes.Ok;
        }, cancellationToken);
        return outcome == ErrorCodes.Ok ? WeChatStatus.Ok : new ApiError(outcome);
    }

    public async ValueTask<ApiResult<GetAllAccountResponse>> GetAllAsync(string appId, CancellationToken cancellationToken)
    {
        var bindings = await store.ListBindingsAsync(appId, null, cancellationToken);
        var list = new List<AccountInfo>(bindings.Count);
        foreach (var b in bindings)
        {
            var carrier = carriers.Find(b.DeliveryId);
            var account = await store.FindAccountAsync(b.DeliveryId, b.BizId, cancellationToken);
            var hasQuota = carrier?.HasQuota == true;
            list.Add(new AccountInfo
            {
                BizId = b.BizId,
                DeliveryId = b.DeliveryId,
                CreateTime = b.CreatedAt / 1000,
                UpdateTime = b.UpdatedAt / 1000,
                StatusCode = (int)b.Status,
                Alias = b.Alias,
                RemarkWrongMsg = b.RemarkWrongMsg,
                RemarkContent = b.RemarkContent,
                QuotaNum = hasQuota ? account?.Balance ?? 0 : 0,
                QuotaUpdateTime = hasQuota ? (account?.BalanceUpdatedAt ?? 0) / 1000 : 0,
                ServiceType = carrier?.Services ?? [],
            });
        }
        return new GetAllAccountResponse { Count = list.Count, List = list };
    }
}
