using System.Collections.Frozen;
using WaybillQuota.Contracts;

namespace WaybillQuota.Server.Carriers;

/// <summary>
/// The carriers of the public supported-carrier table (spec §4). <c>TEST</c> is WeChat's test carrier: every app may
/// order on <c>test_biz_id</c> without binding it, and it keeps no quota (Decision: it behaves as a direct carrier).
/// </summary>
public sealed class CarrierCatalog
{
    private static ServiceTypeInfo S(int id, string name) => new() { ServiceType = id, ServiceName = name };

    public static readonly IReadOnlyList<Carrier> Default =
    [
        new("YTO", "圆通速递", true, "", false, [S(0, "普通快递"), S(1, "圆准达")]),
        new("ZTO", "中通快递", true, "", false, [S(0, "标准快件")]),
        new("BEST", "百世快递", true, "", false, [S(1, "普通快递")]),
        new("YUNDA", "韵达快递", true, "", false, [S(0, "标准快件")]),
        new("STO", "申通快递", true, "", false, [S(1, "标准快递")]),
        new("ANE", "安能物流", true, "", false, [S(95, "MINI小包"), S(22, "特准快运")]),
        new("UCE", "优速快递", true, "", false, [S(0, "大包裹")]),
        new("HHTT", "天天快递", true, "", false, [S(0, "标准快递")]),
        new("JTSD", "极兔快递", true, "", false, [S(0, "标准快递")]),
        new("SF", "顺丰速运", false, "SF_CASH", false,
            [S(0, "标准快递"), S(1, "顺丰即日"), S(2, "顺丰特快"), S(3, "顺丰标快"), S(4, "顺丰标快(协议)")]),
        new("EMS", "中国邮政速递物流", false, "", true, [S(6, "标准快递"), S(9, "快递包裹")]),
        new("PJ", "品骏快递", false, "", false, [S(1, "普通快递")]),
        new("DB", "德邦快递", false, "DB_CASH", false, [S(1, "大件快递3.60"), S(2, "特准快件")]),
        new("JDL", "京东快递", false, "", false, [S(0, "B2C特惠送"), S(1, "特快送"), S(2, "冷链专送")]),
        new("TEST", "测试快递公司", false, "", false, [S(0, "标准快递")], ImplicitBizId: "test_biz_id"),
    ];

    private readonly FrozenDictionary<string, Carrier> _byId;

    public CarrierCatalog() : this(Default) { }

    private CarrierCatalog(IReadOnlyList<Carrier> carriers)
    {
        All = carriers.ToList();
        _byId = All.ToFrozenDictionary(c => c.DeliveryId, StringComparer.Ordinal);
        Wire = new GetAllDeliveryResponse { Count = All.Count, Data = All.Select(c => c.ToWire()).ToList() };
    }

    public IReadOnlyList<Carrier> All { get; }

    /// <summary>The <c>delivery/getall</c> answer, built once.</summary>
    public GetAllDeliveryResponse Wire { get; }

    public Carrier? Find(string deliveryId) => _byId.GetValueOrDefault(deliveryId);
}
