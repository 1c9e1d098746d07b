using System.Security.Cryptography;
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

    /// <summary>Numbers tried for one order before giving up (only numbers issued before they were sequential can collide).</summary>
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
            OrderStatus.Normal, SHA256.HashData(canonical), Label(request), now, now);
        var spends = carrier.HasQuota && access.Account is not null;

        var (code, order) = await store.WriteAsync(PlaceOrders, new OrderPlacement(draft, spends), cancellationToken);
        if (code != ErrorCodes.Ok) return new ApiError(code);
        return new AddOrderResponse
        {
            OrderId = order!.OrderId,
            WaybillId = order.WaybillId,
            WaybillData = Waybills.Data(order.DeliveryId, request.Receiver),
        };
    }

    /// <summary>
    /// What an order keeps for getOrder: the request less what no label or answer shows (cargo, insurance, service,
    /// shop links, post codes...), in the request's own shape. Half the row or less, and the row is most of what a
    /// batch of orders writes to disk.
    /// </summary>
    public static string Label(AddOrderRequest request) => JsonSerializer.Serialize(new AddOrderRequest
    {
        OrderId = request.OrderId,
        CustomRemark = request.CustomRemark,
        Sender = Party(request.Sender),
        Receiver = Party(request.Receiver),
        Shop = request.Shop is { GoodsName: { } goods } ? new OrderShop { GoodsName = goods } : null,
    }, WeChatJsonContext.Wire.AddOrderRequest);

    private static OrderContact? Party(OrderContact? c) => c is null ? null : c with { PostCode = null, Country = null };

    /// <summary>The addOrder write, set-based: every addOrder that meets others in a batch is placed with them.</summary>
    public static readonly BulkWrite<OrderPlacement, PlaceResult> PlaceOrders = PlaceAll;

    /// <summary>
    /// The whole addOrder decision for a batch of orders, atomic, each answered as if placed alone in queue order: a
    /// known (app, order_id) answers its first waybill again (same digest) or 9300508; new orders get sequential waybill
    /// numbers and are inserted first (so a concurrent instance inserting the same key waits for this transaction on
    /// PostgreSQL, then finds the row); then each account spends one waybill per new order in one conditional update,
    /// and the orders the balance did not cover are taken back out (9300523).
    /// </summary>
    public static void PlaceAll(IStoreTransaction tx, IReadOnlyList<OrderPlacement> items, PlaceResult[] results)
    {
        // The first item of each (app, order_id) is placed; a repeat of it in the same batch is answered after it.
        var first = new Dictionary<(string AppId, string OrderId), int>(items.Count);
        var placed = new List<int>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (first.TryAdd((items[i].Draft.AppId, items[i].Draft.OrderId), i)) placed.Add(i);
        }

        var orders = new OrderRecord[placed.Count];
        foreach (var carrier in Enumerable.Range(0, placed.Count).GroupBy(p => items[placed[p]].Draft.DeliveryId))
        {
            var numbers = tx.NextWaybillNumbers(carrier.Key, carrier.Count());
            var n = 0;
            foreach (var p in carrier) orders[p] = items[placed[p]].Draft with { WaybillId = Waybills.Format(carrier.Key, numbers[n++]) };
        }
        var inserted = tx.TryInsertOrders(orders);

        // Live orders per (app, order_id) after this batch: the new ones and those found in place.
        var live = new Dictionary<(string, string), OrderRecord>(placed.Count);
        var spends = new Dictionary<long, List<int>>();
        for (var p = 0; p < placed.Count; p++)
        {
            var i = placed[p];
            var order = orders[p];
            if (!inserted[p])
            {
                (order, var existed) = Settle(tx, order);
                if (existed)
                {
                    live[(order.AppId, order.OrderId)] = order;
                    results[i] = Answer(order, items[i].Draft);
                    continue;
                }
            }
            live[(order.AppId, order.OrderId)] = order;
            results[i] = new PlaceResult(ErrorCodes.Ok, order);
            if (items[i].Spends)
            {
                var accountId = order.AccountId!.Value;
                if (!spends.TryGetValue(accountId, out var list)) spends[accountId] = list = [];
                list.Add(i);
            }
        }

        foreach (var (accountId, list) in spends)
        {
            var applied = tx.ConsumeMany(accountId,
                [.. list.Select(i => (ConsumeReference(items[i].Draft.AppId, items[i].Draft.OrderId), items[i].Draft.CreatedAt))]);
            foreach (var i in list.Skip(applied.Count))
            {
                var draft = items[i].Draft;
                tx.DeleteOrder(draft.AppId, draft.OrderId);
                live.Remove((draft.AppId, draft.OrderId));
                results[i] = new PlaceResult(ErrorCodes.QuotaNotEnough, null);
            }
        }

        // Repeats: against the order now in place, or as refused as the first was (its balance stayed at 0).
        for (var i = 0; i < items.Count; i++)
        {
            var key = (items[i].Draft.AppId, items[i].Draft.OrderId);
            if (first[key] == i) continue;
            results[i] = live.TryGetValue(key, out var order) ? Answer(order, items[i].Draft) : results[first[key]];
        }
    }

    private static PlaceResult Answer(OrderRecord existing, OrderRecord draft) =>
        existing.RequestDigest.AsSpan().SequenceEqual(draft.RequestDigest)
            ? new PlaceResult(ErrorCodes.Ok, existing)
            : new PlaceResult(ErrorCodes.OrderIdUsed, null);

    /// <summary>
    /// An order whose insert did nothing: a row holds its (app, order_id), placed earlier or just now by another instance
    /// (Existed), or its waybill number was taken (by an order from before numbers were sequential), and it is inserted
    /// with the next free number.
    /// </summary>
    private static (OrderRecord Order, bool Existed) Settle(IStoreTransaction tx, OrderRecord order)
    {
        for (var draw = 0; draw < WaybillDraws; draw++)
        {
            if (tx.GetOrder(order.AppId, order.OrderId, lockRow: false) is { } existing) return (existing, true);
            order = order with { WaybillId = Waybills.Format(order.DeliveryId, tx.NextWaybillNumbers(order.DeliveryId, 1)[0]) };
            if (tx.TryInsertOrder(order)) return (order, false);
        }
        throw new InvalidOperationException($"No free {order.DeliveryId} waybill number after {WaybillDraws} draws.");
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
        var placed = JsonSerializer.Deserialize(order.Label, WeChatJsonContext.Wire.AddOrderRequest)!;
        return ((carrier, order, placed), null);
    }
}

/// <summary>One addOrder for <see cref="OrderProcessor.PlaceOrders"/>: the order to place and whether it spends a waybill.</summary>
public readonly record struct OrderPlacement(OrderRecord Draft, bool Spends);

/// <summary>The answer to one <see cref="OrderPlacement"/>: Ok with the order in place, or the errcode.</summary>
public readonly record struct PlaceResult(int Code, OrderRecord? Order);
