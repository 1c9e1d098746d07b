using WaybillQuota.Contracts;

namespace WaybillQuota.Server.Carriers;

/// <param name="HasQuota">Franchise carrier: waybills are bought in advance and counted (can_get_quota = 1).</param>
/// <param name="ReviewsBinding">A binding waits (status 1) until the operator approves it.</param>
/// <param name="ImplicitBizId">An account every app may use without binding (the TEST carrier's <c>test_biz_id</c>).</param>
public sealed record Carrier(
    string DeliveryId,
    string Name,
    bool HasQuota,
    string CashBizId,
    bool ReviewsBinding,
    IReadOnlyList<ServiceTypeInfo> Services,
    string? ImplicitBizId = null)
{
    public bool CanUseCash => CashBizId.Length > 0;

    public bool OffersService(int serviceType) => Services.Any(s => s.ServiceType == serviceType);

    /// <summary>
    /// An account every app may use without binding and that keeps no ledger: the TEST carrier's <c>test_biz_id</c>, and
    /// the cash (pay-on-pickup) biz_id of a carrier that has one (<c>SF_CASH</c>, <c>DB_CASH</c>).
    /// </summary>
    public bool IsSharedAccount(string bizId) => bizId == ImplicitBizId || (CanUseCash && bizId == CashBizId);

    public DeliveryInfo ToWire() => new()
    {
        DeliveryId = DeliveryId,
        DeliveryName = Name,
        CanUseCash = CanUseCash ? 1 : 0,
        CanGetQuota = HasQuota ? 1 : 0,
        CashBizId = CashBizId,
        ServiceType = Services,
    };
}
