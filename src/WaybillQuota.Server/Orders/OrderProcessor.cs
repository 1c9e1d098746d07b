using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Accounts;
using WaybillQuota.Server.Carriers;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Orders;

/// <summary>
/// addOrder, cancelOrder, getOrder, batchGetOrder. Every decision that changes state is one write closure: it runs in
/// the single writer's transaction (shared with concurrent writes by group commit) and its caller is answered only once
/// that transaction is durable, so an acknowledged order survives a crash and a spend is never half done.
/// </summary>
public sealed class OrderProcessor(IWaybillStore store, AccountGuard guard, CarrierCatalog carriers, TimeProvider time)
{
    /// <summary>Unknown order, another app's order, or one whose delivery_id or waybill_id differs: all the same answer.</summary>
    public static readonly ApiError OrderNotFound = new(ErrorCodes.DeliveryLogicFail, "order not found");

    /// <summary>Draws of a waybill number before giving up (a collision is one in 10^10 or fewer per draw).</summary>
    private const int WaybillDraws = 8;

    /// <summary>The ledger reference of an order's spend; appids hold no ':', so the order_id after it is unambiguous.</summary>
    public static string ConsumeReference(string appId, string orderId) => $"order:{appId}:{orderId}";

    public static string RefundReference(string appId, string orderId) => $"order-cancel:{appId}:{orderId}";

    public async ValueTask<ApiResult<AddOrderResponse>> AddAsync(string appId, AddOrderRequest request,
        CancellationToken cancellationToken)
    {
        if (OrderRules.Validate(request) is { } invalid) return invalid;
        var (access, error) = await guard.ResolveAsync(appId, request.DeliveryId, request.BizId, requireQuota: false,
            cancellationToken);
        if (error is { } e) return e;
        var carrier = access!.Carrier;
        if (!carrier.OffersService(request.Service!.ServiceType!.Value)) return new ApiError(ErrorCodes.InvalidServiceType);

        // The canonical form (our serializer's field order, no unknown fields, no whitespace) is what "identical" means:
        // a retry that reorders keys or reformats numbers is still the same order.
        var canonical = JsonSerializer.SerializeToUtf8Bytes(request, WeChatJsonContext.Wire.AddOrderRequest);
        var now = time.NowMs();
        var draft = new OrderRecord(appId, request.OrderId!, carrier.DeliveryId, request.BizId!, access.Account?.Id, "",
            OrderStatus.Normal, SHA256.HashData(canonical), Encoding.UTF8.GetString(canonical), now, now);
        var spends = carrier.HasQuota && access.Account is not null;

        var (code, order) = await store.WriteAsync(tx => Place(tx, draft, spends), cancellationToken);
        if (code != ErrorCodes.Ok) return new ApiError(code);
        return new AddOrderResponse
        {
            OrderId = order!.OrderId,
            WaybillId = order.WaybillId,
            WaybillData = Waybills.Data(order.DeliveryId, request.Receiver),
        };
    }

    /// <summary>
    /// The whole addOrder decision, atomic: a known (app, order_id) answers its first waybill again (same digest) or
    /// 9300508; otherwise the order row is inserted first (so a concurrent instance inserting the same key waits for
    /// this transaction on PostgreSQL, then finds the row), then the waybill is spent under the account's row lock,
    /// and the row is taken back out if the balance is 0.
    /// </summary>
    public static (int Code, OrderRecord? Order) Place(IStoreTransaction tx, OrderRecord draft, bool spends)
    {
        for (var draw = 0; draw < WaybillDraws; draw++)
        {
            if (tx.GetOrder(draft.AppId, draft.OrderId, lockRow: false) is { } existing)
            {
                return existing.RequestDigest.AsSpan().SequenceEqual(draft.RequestDigest)
                    ? (ErrorCodes.Ok, existing)
                    : (ErrorCodes.OrderIdUsed, null);
            }

            var order = draft with { WaybillId = Waybills.NewId(draft.DeliveryId) };
            // Not inserted: the order_id was just taken by another instance (seen at the top of the loop), or the
            // waybill number is taken (drawn again).
            if (!tx.TryInsertOrder(order)) continue;

            if (spends)
            {
                var spent = tx.ApplyLedger(order.AccountId!.Value, -1, LedgerKinds.Consume,
                    ConsumeReference(order.AppId, order.OrderId), order.CreatedAt);
                if (spent.Outcome == LedgerOutcome.Insufficient)
                {
                    tx.DeleteOrder(order.AppId, order.OrderId);
                    return (ErrorCodes.QuotaNotEnough, null);
                }
                // The order row is the only way to a consume reference, so a duplicate means the two disagree.
                if (spent.Outcome == LedgerOutcome.Duplicate)
                    throw new InvalidOperationException($"The ledger holds a spend of order {order.OrderId} that has no order row.");
            }
            return (ErrorCodes.Ok, order);
        }
        throw new InvalidOperationException($"No free {draft.DeliveryId} waybill number after {WaybillDraws} draws.");
    }

    public async ValueTask<ApiResult<CancelOrderResponse>> CancelAsync(string appId, CancelOrderRequest request,
        CancellationToken cancellationToken)
    {
        if (OrderRules.Validate(request) is { } invalid) return invalid;
        if (carriers.Find(request.DeliveryId!) is not { } carrier) return new ApiError(ErrorCodes.DeliveryIdNotExist);

        var now = time.NowMs();
        var code = await store.WriteAsync(tx => Cancel(tx, appId, carrier, request.OrderId!, request.WaybillId!, now),
            cancellationToken);
        return code == ErrorCodes.Ok ? new CancelOrderResponse() : code == ErrorCodes.DeliveryLogicFail ? OrderNotFound : new ApiError(code);
    }

    /// <summary>
    /// Cancels once: the status moves 0 → 1 under the order's row lock, and only the move refunds, so a second cancel
    /// (here or on another instance) answers 9300524 and refunds nothing.
    /// </summary>
    public static int Cancel(IStoreTransaction tx, string appId, Carrier carrier, string orderId, string waybillId, long now)
    {
        var order = tx.GetOrder(appId, orderId, lockRow: true);
        if (order is null || order.DeliveryId != carrier.DeliveryId || order.WaybillId != waybillId) return ErrorCodes.DeliveryLogicFail;
        if (!tx.SetOrderStatus(appId, orderId, OrderStatus.Normal, OrderStatus.Cancelled, now)) return ErrorCodes.OrderCancelled;
        if (carrier.HasQuota && order.AccountId is { } accountId)
        {
            var refund = tx.ApplyLedger(accountId, +1, LedgerKinds.Refund, RefundReference(appId, orderId), now);
            if (refund.Outcome != LedgerOutcome.Applied)
                throw new InvalidOperationException($"The refund of order {orderId} was {refund.Outcome} while the order was live.");
        }
        return ErrorCodes.Ok;
    }

    public async ValueTask<ApiResult<GetOrderResponse>> GetAsync(string appId, GetOrderRequest request,
        CancellationToken cancellationToken)
    {
        if (OrderRules.Validate(request) is { } invalid) return invalid;
        var (found, error) = await FindAsync(appId, request.OrderId!, request.DeliveryId!, request.WaybillId, cancellationToken);
        if (error is { } e) return e;
        var (carrier, order, placed) = found!.Value;
        var data = Waybills.Data(order.DeliveryId, placed.Receiver);
        return new GetOrderResponse
        {
            OrderId = order.OrderId,
            DeliveryId = order.DeliveryId,
            WaybillId = order.WaybillId,
            OrderStatus = (int)order.Status,
            WaybillData = data,
            PrintHtml = WaybillLabel.Render(carrier, order.WaybillId, placed, data, request.CustomRemark ?? placed.CustomRemark,
                onePart: request.PrintType == 1),
        };
    }

    public async ValueTask<ApiResult<BatchGetOrderResponse>> BatchGetAsync(string appId, BatchGetOrderRequest request,
        CancellationToken cancellationToken)
    {
        if (request.OrderList is not { Count: > 0 } keys) return ApiError.Required("order_list");
        if (keys.Count > OrderRules.MaxBatchItems)
            return new ApiError(ErrorCodes.FieldLengthInvalid, $"order_list has more than {OrderRules.MaxBatchItems} items");

        var items = new List<BatchOrderItem>(keys.Count);
        foreach (var key in keys)
        {
            if (key is null)
            {
                items.Add(Failed(new OrderKey(), ApiError.Required("order_id")));
                continue;
            }
            if (OrderRules.Validate(key) is { } invalid)
            {
                items.Add(Failed(key, invalid));
                continue;
            }
            var (found, error) = await FindAsync(appId, key.OrderId!, key.DeliveryId!, key.WaybillId, cancellationToken);
            if (error is { } e)
            {
                items.Add(Failed(key, e));
                continue;
            }
            var (carrier, order, placed) = found!.Value;
            var data = Waybills.Data(order.DeliveryId, placed.Receiver);
            items.Add(new BatchOrderItem
            {
                OrderId = order.OrderId,
                DeliveryId = order.DeliveryId,
                WaybillId = order.WaybillId,
                OrderStatus = (int)order.Status,
                WaybillData = data,
                PrintHtml = WaybillLabel.Render(carrier, order.WaybillId, placed, data, placed.CustomRemark, onePart: false),
            });
        }
        return new BatchGetOrderResponse { OrderList = items };
    }

    private static BatchOrderItem Failed(OrderKey key, ApiError error) => new()
    {
        ErrCode = error.Code,
        ErrMsg = error.Text,
        OrderId = key.OrderId ?? "",
        DeliveryId = key.DeliveryId ?? "",
        WaybillId = key.WaybillId ?? "",
    };

    private async ValueTask<((Carrier Carrier, OrderRecord Order, AddOrderRequest Placed)? Found, ApiError? Error)> FindAsync(
        string appId, string orderId, string deliveryId, string? waybillId, CancellationToken cancellationToken)
    {
        if (carriers.Find(deliveryId) is not { } carrier) return (null, new ApiError(ErrorCodes.DeliveryIdNotExist));
        var order = await store.FindOrderAsync(appId, orderId, cancellationToken);
        if (order is null || order.DeliveryId != deliveryId || (!string.IsNullOrEmpty(waybillId) && order.WaybillId != waybillId))
            return (null, OrderNotFound);
        var placed = JsonSerializer.Deserialize(order.Request, WeChatJsonContext.Wire.AddOrderRequest)!;
        return ((carrier, order, placed), null);
    }
}
