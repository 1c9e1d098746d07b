using System.Text.Json.Serialization;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Cloud;

/// <summary>What every successful cloud call answers besides its business fields: <c>errMsg</c> = <c>openapi.logistics.&lt;method&gt;:ok</c>.</summary>
public abstract record CloudResult
{
    /// <summary>E.g. <c>openapi.logistics.getQuota:ok</c>.</summary>
    [JsonPropertyOrder(1)]
    public string ErrMsg { get; init; } = "";
}

/// <summary>Answer of <c>logistics.getQuota</c>.</summary>
public sealed record GetQuotaResult : CloudResult
{
    /// <summary>The account's remaining electronic waybills.</summary>
    public int QuotaNum { get; init; }
}

/// <summary>Answer of <c>logistics.getAllDelivery</c>.</summary>
public sealed record GetAllDeliveryResult : CloudResult
{
    /// <summary>Number of carriers.</summary>
    public int Count { get; init; }

    /// <summary>The carriers.</summary>
    public IReadOnlyList<DeliveryInfo> Data { get; init; } = [];
}

/// <summary>Answer of <c>logistics.bindAccount</c>.</summary>
public sealed record BindAccountResult : CloudResult
{
    /// <summary>0.</summary>
    public int ErrCode { get; init; }
}

/// <summary>Answer of <c>logistics.getAllAccount</c>.</summary>
public sealed record GetAllAccountResult : CloudResult
{
    /// <summary>Number of bindings.</summary>
    public int Count { get; init; }

    /// <summary>The app's bindings.</summary>
    public IReadOnlyList<AccountInfo> List { get; init; } = [];
}

/// <summary>Answer of <c>logistics.addOrder</c>.</summary>
public sealed record AddOrderResult : CloudResult
{
    /// <summary>The order id as given.</summary>
    public string OrderId { get; init; } = "";

    /// <summary>The carrier's waybill number.</summary>
    public string WaybillId { get; init; } = "";

    /// <summary>Label data of the waybill.</summary>
    public IReadOnlyList<WaybillDataItem> WaybillData { get; init; } = [];

    /// <summary>The carrier's result code.</summary>
    public int DeliveryResultcode { get; init; }

    /// <summary>The carrier's result text.</summary>
    public string DeliveryResultmsg { get; init; } = "";
}

/// <summary>Answer of <c>logistics.cancelOrder</c>.</summary>
public sealed record CancelOrderResult : CloudResult
{
    /// <summary>0.</summary>
    public int ErrCode { get; init; }

    /// <summary>The carrier's result code.</summary>
    public int DeliveryResultcode { get; init; }

    /// <summary>The carrier's result text.</summary>
    public string DeliveryResultmsg { get; init; } = "";
}

/// <summary>Answer of <c>logistics.getOrder</c>.</summary>
public sealed record GetOrderResult : CloudResult
{
    /// <summary>The order id.</summary>
    public string OrderId { get; init; } = "";

    /// <summary>The carrier.</summary>
    public string DeliveryId { get; init; } = "";

    /// <summary>The waybill number.</summary>
    public string WaybillId { get; init; } = "";

    /// <summary>0 normal, 1 cancelled.</summary>
    public int OrderStatus { get; init; }

    /// <summary>Label data of the waybill.</summary>
    public IReadOnlyList<WaybillDataItem> WaybillData { get; init; } = [];

    /// <summary>Base64 of an HTML waybill label.</summary>
    public string PrintHtml { get; init; } = "";
}

/// <summary>One order of <c>logistics.batchGetOrder</c>, with its own <c>errCode</c>.</summary>
public sealed record CloudBatchOrderItem
{
    /// <summary>0, or why this order could not be read.</summary>
    public int ErrCode { get; init; }

    /// <summary><c>ok</c>, or the error text.</summary>
    public string ErrMsg { get; init; } = "";

    /// <summary>The order id.</summary>
    public string OrderId { get; init; } = "";

    /// <summary>The carrier.</summary>
    public string DeliveryId { get; init; } = "";

    /// <summary>The waybill number.</summary>
    public string WaybillId { get; init; } = "";

    /// <summary>0 normal, 1 cancelled.</summary>
    public int OrderStatus { get; init; }

    /// <summary>Label data of the waybill.</summary>
    public IReadOnlyList<WaybillDataItem> WaybillData { get; init; } = [];

    /// <summary>Base64 of an HTML waybill label.</summary>
    public string PrintHtml { get; init; } = "";
}

/// <summary>Answer of <c>logistics.batchGetOrder</c>.</summary>
public sealed record BatchGetOrderResult : CloudResult
{
    /// <summary>One item per requested order.</summary>
    public IReadOnlyList<CloudBatchOrderItem> OrderList { get; init; } = [];
}
