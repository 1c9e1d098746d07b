using System.Text.Json.Serialization;

namespace WaybillQuota.Contracts;

/// <summary>Body of <c>POST /cgi-bin/express/business/quota/get</c>.</summary>
public sealed record GetQuotaRequest
{
    public string? DeliveryId { get; set; }
    public string? BizId { get; set; }
}

/// <summary>Answer of getQuota: the account's remaining electronic waybills.</summary>
public sealed record GetQuotaResponse
{
    public int QuotaNum { get; init; }
}

/// <summary>A service a carrier offers (<c>{"service_type":0,"service_name":"..."}</c>).</summary>
public sealed record ServiceTypeInfo
{
    public int ServiceType { get; init; }
    public string ServiceName { get; init; } = "";
}

/// <summary>One carrier of <c>delivery/getall</c>.</summary>
public sealed record DeliveryInfo
{
    public string DeliveryId { get; init; } = "";
    public string DeliveryName { get; init; } = "";
    public int CanUseCash { get; init; }
    public int CanGetQuota { get; init; }
    public string CashBizId { get; init; } = "";
    public IReadOnlyList<ServiceTypeInfo> ServiceType { get; init; } = [];
}

/// <summary>Answer of <c>GET /cgi-bin/express/business/delivery/getall</c>.</summary>
public sealed record GetAllDeliveryResponse
{
    public int Count { get; init; }
    public IReadOnlyList<DeliveryInfo> Data { get; init; } = [];
}

/// <summary>Body of <c>POST /cgi-bin/express/business/account/bind</c>.</summary>
public sealed record BindAccountRequest
{
    /// <summary><c>bind</c> or <c>unbind</c>.</summary>
    public string? Type { get; set; }
    public string? BizId { get; set; }
    public string? DeliveryId { get; set; }
    public string? Password { get; set; }
    public string? RemarkContent { get; set; }
}

/// <summary>One binding of <c>account/getall</c>.</summary>
public sealed record AccountInfo
{
    public string BizId { get; init; } = "";
    public string DeliveryId { get; init; } = "";
    public long CreateTime { get; init; }
    public long UpdateTime { get; init; }

    /// <summary>0 bound, 1 under review, 2 refused, 3 unbound.</summary>
    public int StatusCode { get; init; }
    public string Alias { get; init; } = "";
    public string RemarkWrongMsg { get; init; } = "";
    public string RemarkContent { get; init; } = "";
    public int QuotaNum { get; init; }
    public long QuotaUpdateTime { get; init; }
    public IReadOnlyList<ServiceTypeInfo> ServiceType { get; init; } = [];
}

/// <summary>Answer of <c>GET /cgi-bin/express/business/account/getall</c>.</summary>
public sealed record GetAllAccountResponse
{
    public int Count { get; init; }
    public IReadOnlyList<AccountInfo> List { get; init; } = [];
}

/// <summary>Sender or receiver of an order.</summary>
public sealed record OrderContact
{
    public string? Name { get; set; }
    public string? Tel { get; set; }
    public string? Mobile { get; set; }
    public string? Company { get; set; }
    public string? PostCode { get; set; }
    public string? Country { get; set; }
    public string? Province { get; set; }
    public string? City { get; set; }
    public string? Area { get; set; }
    public string? Address { get; set; }
}

public sealed record CargoDetail
{
    public string? Name { get; set; }
    public int? Count { get; set; }
}

public sealed record OrderCargo
{
    public int? Count { get; set; }
    public double? Weight { get; set; }
    public double? SpaceX { get; set; }
    public double? SpaceY { get; set; }
    public double? SpaceZ { get; set; }
    public IReadOnlyList<CargoDetail>? DetailList { get; set; }
}

public sealed record OrderShop
{
    public string? WxaPath { get; set; }
    public string? ImgUrl { get; set; }
    public string? GoodsName { get; set; }
    public int? GoodsCount { get; set; }
}

public sealed record OrderInsured
{
    public int? UseInsured { get; set; }

    /// <summary>Insured value in fen.</summary>
    public long? InsuredValue { get; set; }
}

public sealed record OrderService
{
    public int? ServiceType { get; set; }
    public string? ServiceName { get; set; }
}

/// <summary>Body of <c>POST /cgi-bin/express/business/order/add</c>.</summary>
public sealed record AddOrderRequest
{
    /// <summary>0 mini program, 2 app or H5 (then <see cref="WxAppid"/>).</summary>
    public int? AddSource { get; set; }
    public string? WxAppid { get; set; }
    public string? OrderId { get; set; }
    public string? Openid { get; set; }
    public string? DeliveryId { get; set; }
    public string? BizId { get; set; }
    public string? CustomRemark { get; set; }
    /// <summary>A platform mini program's tag of the merchant; WeChat spells it <c>tagid</c>.</summary>
    [JsonPropertyName("tagid")] public int? TagId { get; set; }
    public OrderContact? Sender { get; set; }
    public OrderContact? Receiver { get; set; }
    public OrderCargo? Cargo { get; set; }
    public OrderShop? Shop { get; set; }
    public OrderInsured? Insured { get; set; }
    public OrderService? Service { get; set; }
    public long? ExpectTime { get; set; }
}

public sealed record WaybillDataItem
{
    public string Key { get; init; } = "";
    public string Value { get; init; } = "";
}

/// <summary>Answer of addOrder.</summary>
public sealed record AddOrderResponse
{
    public string OrderId { get; init; } = "";
    public string WaybillId { get; init; } = "";
    public IReadOnlyList<WaybillDataItem> WaybillData { get; init; } = [];
    public int DeliveryResultcode { get; init; }
    public string DeliveryResultmsg { get; init; } = "";
}

/// <summary>Body of <c>POST /cgi-bin/express/business/order/cancel</c>.</summary>
public sealed record CancelOrderRequest
{
    public string? OrderId { get; set; }
    public string? Openid { get; set; }
    public string? DeliveryId { get; set; }
    public string? WaybillId { get; set; }
}

/// <summary>Answer of cancelOrder.</summary>
public sealed record CancelOrderResponse
{
    [JsonPropertyName("errcode")] public int ErrCode { get; init; }
    [JsonPropertyName("errmsg")] public string ErrMsg { get; init; } = "ok";
    public int DeliveryResultcode { get; init; }
    public string DeliveryResultmsg { get; init; } = "";
}

/// <summary>Body of <c>POST /cgi-bin/express/business/order/get</c>.</summary>
public sealed record GetOrderRequest
{
    public string? OrderId { get; set; }
    public string? Openid { get; set; }
    public string? DeliveryId { get; set; }
    public string? WaybillId { get; set; }
    public int? PrintType { get; set; }
    public string? CustomRemark { get; set; }
}

/// <summary>Answer of getOrder.</summary>
public sealed record GetOrderResponse
{
    public string OrderId { get; init; } = "";
    public string DeliveryId { get; init; } = "";
    public string WaybillId { get; init; } = "";

    /// <summary>0 normal, 1 cancelled.</summary>
    public int OrderStatus { get; init; }
    public IReadOnlyList<WaybillDataItem> WaybillData { get; init; } = [];

    /// <summary>Base64 of an HTML waybill label.</summary>
    public string PrintHtml { get; init; } = "";
}

public sealed record OrderKey
{
    public string? OrderId { get; set; }
    public string? DeliveryId { get; set; }
    public string? WaybillId { get; set; }
}

/// <summary>Body of <c>POST /cgi-bin/express/business/order/batchget</c>.</summary>
public sealed record BatchGetOrderRequest
{
    public IReadOnlyList<OrderKey>? OrderList { get; set; }
}

/// <summary>One answer of batchGetOrder, with its own errcode.</summary>
public sealed record BatchOrderItem
{
    [JsonPropertyName("errcode")] public int ErrCode { get; init; }
    [JsonPropertyName("errmsg")] public string ErrMsg { get; init; } = "ok";
    public string OrderId { get; init; } = "";
    public string DeliveryId { get; init; } = "";
    public string WaybillId { get; init; } = "";
    public int OrderStatus { get; init; }
    public IReadOnlyList<WaybillDataItem> WaybillData { get; init; } = [];
    public string PrintHtml { get; init; } = "";
}

/// <summary>Answer of batchGetOrder.</summary>
public sealed record BatchGetOrderResponse
{
    public IReadOnlyList<BatchOrderItem> OrderList { get; init; } = [];
}
