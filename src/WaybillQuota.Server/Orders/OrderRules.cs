using WaybillQuota.Contracts;
using WaybillQuota.Server.Accounts;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Orders;

/// <summary>
/// The field rules of the order APIs (docs/orders.md lists them): a required field that is missing or empty answers
/// 47001 naming it (nested fields by their path, <c>sender.name</c>), a field longer than its limit in UTF-8 bytes
/// answers 9300526. The first broken rule answers, in the order of the fields in the documentation.
/// </summary>
public static class OrderRules
{
    public const int MaxOrderIdBytes = 512;
    public const int MaxCustomRemarkBytes = 1024;
    public const int MaxOpenidBytes = 128;
    public const int MaxWxAppidBytes = 64;
    public const int MaxWaybillIdBytes = 64;
    public const int MaxNameBytes = 128;
    public const int MaxPhoneBytes = 32;
    public const int MaxPostCodeBytes = 16;
    public const int MaxRegionBytes = 64;
    public const int MaxAddressBytes = 512;
    public const int MaxPathBytes = 512;
    public const int MaxUrlBytes = 1024;
    public const int MaxDetailItems = 50;

    /// <summary>Most orders one batchGetOrder call may ask for.</summary>
    public const int MaxBatchItems = 100;

    public static ApiError? Validate(AddOrderRequest r)
    {
        if (r.AddSource is not (null or 0 or 2)) return new ApiError(ErrorCodes.DataFormatError, "add_source must be 0 or 2");
        var fromApp = r.AddSource == 2;
        return Fields.First(
                   Fields.Required(r.OrderId, "order_id", MaxOrderIdBytes),
                   fromApp ? Fields.Required(r.WxAppid, "wx_appid", MaxWxAppidBytes) : Fields.Length(r.WxAppid, "wx_appid", MaxWxAppidBytes),
                   fromApp ? Fields.Length(r.Openid, "openid", MaxOpenidBytes) : Fields.Required(r.Openid, "openid", MaxOpenidBytes),
                   Fields.Required(r.DeliveryId, "delivery_id", AccountGuard.MaxIdBytes),
                   Fields.Required(r.BizId, "biz_id", AccountGuard.MaxIdBytes),
                   Fields.Length(r.CustomRemark, "custom_remark", MaxCustomRemarkBytes))
               ?? Contact(r.Sender, "sender")
               ?? Contact(r.Receiver, "receiver")
               ?? Cargo(r.Cargo)
               ?? Shop(r.Shop)
               ?? Insured(r.Insured)
               ?? Service(r.Service);
    }

    private static ApiError? Contact(OrderContact? c, string name)
    {
        if (c is null) return ApiError.Required(name);
        if (string.IsNullOrEmpty(c.Tel) && string.IsNullOrEmpty(c.Mobile))
        {
            if (Fields.Required(c.Name, $"{name}.name", MaxNameBytes) is { } nameError) return nameError;
            return ApiError.Required($"{name}.mobile or {name}.tel");
        }
        return Fields.First(
            Fields.Required(c.Name, $"{name}.name", MaxNameBytes),
            Fields.Length(c.Tel, $"{name}.tel", MaxPhoneBytes),
            Fields.Length(c.Mobile, $"{name}.mobile", MaxPhoneBytes),
            Fields.Length(c.Company, $"{name}.company", MaxNameBytes),
            Fields.Length(c.PostCode, $"{name}.post_code", MaxPostCodeBytes),
            Fields.Length(c.Country, $"{name}.country", MaxRegionBytes),
            Fields.Required(c.Province, $"{name}.province", MaxRegionBytes),
            Fields.Required(c.City, $"{name}.city", MaxRegionBytes),
            Fields.Required(c.Area, $"{name}.area", MaxRegionBytes),
            Fields.Required(c.Address, $"{name}.address", MaxAddressBytes));
    }

    private static ApiError? Cargo(OrderCargo? c)
    {
        if (c is null) return ApiError.Required("cargo");
        if ((Positive(c.Count, "cargo.count") ?? Positive(c.Weight, "cargo.weight") ?? Positive(c.SpaceX, "cargo.space_x")
            ?? Positive(c.SpaceY, "cargo.space_y") ?? Positive(c.SpaceZ, "cargo.space_z")) is { } invalid) return invalid;
        if (c.DetailList is not { Count: > 0 } details) return ApiError.Required("cargo.detail_list");
        if (details.Count > MaxDetailItems)
            return new ApiError(ErrorCodes.FieldLengthInvalid, $"cargo.detail_list has more than {MaxDetailItems} items");
        for (var i = 0; i < details.Count; i++)
        {
            var item = details[i];
            if (item is null) return ApiError.Required($"cargo.detail_list[{i}]");
            if ((Fields.Required(item.Name, $"cargo.detail_list[{i}].name", MaxNameBytes)
                 ?? Positive(item.Count, $"cargo.detail_list[{i}].count")) is { } itemError) return itemError;
        }
        return null;
    }

    private static ApiError? Shop(OrderShop? s) => s is null
        ? ApiError.Required("shop")
        : Fields.First(
            Fields.Required(s.WxaPath, "shop.wxa_path", MaxPathBytes),
            Fields.Required(s.ImgUrl, "shop.img_url", MaxUrlBytes),
            Fields.Required(s.GoodsName, "shop.goods_name", MaxNameBytes),
            Positive(s.GoodsCount, "shop.goods_count"));

    // Decision: insurance is optional (absent = not insured); when present it must say what it means.
    private static ApiError? Insured(OrderInsured? i)
    {
        if (i is null) return null;
        if (i.UseInsured is not (0 or 1)) return new ApiError(ErrorCodes.DataFormatError, "insured.use_insured must be 0 or 1");
        if (i.UseInsured == 1 && i.InsuredValue is not > 0)
            return new ApiError(ErrorCodes.DataFormatError, "insured.insured_value must be greater than 0");
        if (i.InsuredValue is < 0) return new ApiError(ErrorCodes.DataFormatError, "insured.insured_value must not be negative");
        return null;
    }

    private static ApiError? Service(OrderService? s)
    {
        if (s is null) return ApiError.Required("service");
        if (s.ServiceType is null) return ApiError.Required("service.service_type");
        return Fields.Required(s.ServiceName, "service.service_name", MaxNameBytes);
    }

    private static ApiError? Positive(double? value, string name) => value switch
    {
        null => ApiError.Required(name),
        > 0 => null,
        _ => new ApiError(ErrorCodes.DataFormatError, $"{name} must be greater than 0"),
    };

    /// <summary>cancelOrder: which order (its waybill too, so a stale client cannot cancel the wrong one).</summary>
    public static ApiError? Validate(CancelOrderRequest r) => Fields.First(
        Fields.Required(r.OrderId, "order_id", MaxOrderIdBytes),
        Fields.Length(r.Openid, "openid", MaxOpenidBytes),
        Fields.Required(r.DeliveryId, "delivery_id", AccountGuard.MaxIdBytes),
        Fields.Required(r.WaybillId, "waybill_id", MaxWaybillIdBytes));

    /// <summary>getOrder: order_id and delivery_id; waybill_id, when given, must be the order's.</summary>
    public static ApiError? Validate(GetOrderRequest r)
    {
        if (r.PrintType is not (null or 0 or 1)) return new ApiError(ErrorCodes.DataFormatError, "print_type must be 0 or 1");
        return Fields.First(
            Fields.Required(r.OrderId, "order_id", MaxOrderIdBytes),
            Fields.Length(r.Openid, "openid", MaxOpenidBytes),
            Fields.Required(r.DeliveryId, "delivery_id", AccountGuard.MaxIdBytes),
            Fields.Length(r.WaybillId, "waybill_id", MaxWaybillIdBytes),
            Fields.Length(r.CustomRemark, "custom_remark", MaxCustomRemarkBytes));
    }

    public static ApiError? Validate(OrderKey k) => Fields.First(
        Fields.Required(k.OrderId, "order_id", MaxOrderIdBytes),
        Fields.Required(k.DeliveryId, "delivery_id", AccountGuard.MaxIdBytes),
        Fields.Length(k.WaybillId, "waybill_id", MaxWaybillIdBytes));
}
