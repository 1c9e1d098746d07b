using WaybillQuota.Contracts;
using WaybillQuota.Server.Carriers;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Accounts;

/// <summary>A carrier account as one app may use it.</summary>
public sealed record AccountAccess(Carrier Carrier, AccountRecord? Account, BindingRecord? Binding)
{
    /// <summary>A carrier's shared account (TEST's test_biz_id, a cash biz_id): usable by every app, with no ledger.</summary>
    public bool IsImplicit => Account is null;
}

/// <summary>
/// Object-level authorization of carrier accounts: an app reaches an account only through a binding of its own in
/// status "bound". An account bound to another app, one under review and one that does not exist all answer the
/// same 9300525, so nobody can probe customer codes.
/// </summary>
public sealed class AccountGuard(IWaybillStore store, CarrierCatalog carriers)
{
    public const int MaxIdBytes = 64;

    public async ValueTask<(AccountAccess? Access, ApiError? Error)> ResolveAsync(string appId, string? deliveryId, string? bizId,
        bool requireQuota, CancellationToken cancellationToken)
    {
        if (Fields.First(Fields.Required(deliveryId, "delivery_id", MaxIdBytes), Fields.Required(bizId, "biz_id", MaxIdBytes))
            is { } invalid) return (null, invalid);

        var carrier = carriers.Find(deliveryId!);
        if (carrier is null) return (null, new ApiError(ErrorCodes.DeliveryIdNotExist));
        if (requireQuota && !carrier.HasQuota) return (null, new ApiError(ErrorCodes.DeliveryNoQuota));
        if (carrier.IsSharedAccount(bizId!)) return (new AccountAccess(carrier, null, null), null);

        var account = await store.FindAccountAsync(deliveryId!, bizId!, cancellationToken);
        if (account is null) return (null, new ApiError(ErrorCodes.BizIdNotBound));
        var binding = await store.FindBindingAsync(appId, account.Id, cancellationToken);
        if (binding is not { Status: BindingStatus.Bound }) return (null, new ApiError(ErrorCodes.BizIdNotBound));
        return (new AccountAccess(carrier, account, binding), null);
    }
}
