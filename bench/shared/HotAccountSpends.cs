using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Bench;

/// <summary>
/// The spend load shared by the SQLite and PostgreSQL benchmarks: concurrent spenders placing orders on one hot
/// account through the real addOrder write (<see cref="OrderProcessor.PlaceOrders"/>), each waiting for its order to
/// be durable before placing the next. (A benchmark framework's one-call-per-iteration loop cannot show group commit:
/// it needs many concurrent spenders.)
/// </summary>
internal static class HotAccountSpends
{
    public const string AppId = "wx0000000000000001";

    /// <summary>Creates the app and the hot account holding more waybills than any run spends.</summary>
    public static Task<AccountRecord> SeedAsync(IWaybillStore store) => store.WriteAsync(tx =>
    {
        tx.InsertApp(new AppRecord(AppId, "bench", new byte[32], [], long.MaxValue, null, 0, 0));
        var account = tx.InsertAccount("YTO", "hot", "", 0);
        tx.ApplyLedger(account.Id, 100_000_000, LedgerKinds.Credit, "bench:credit", 0);
        return account;
    }, CancellationToken.None);

    /// <param name="orderIds">
    /// "time": order ids that grow with time, as merchants' order numbers do (a date, then a sequence); "streams": each
    /// spender counts its own ids ("17-4711"), so new keys land on as many places of the order index as there are spenders.
    /// </param>
    /// <returns>The spends acknowledged before <paramref name="duration"/> ran out.</returns>
    public static async Task<long> RunAsync(IWaybillStore store, long accountId, int spenders, TimeSpan duration, string orderIds)
    {
        if (orderIds is not ("time" or "streams")) throw new ArgumentException("order ids are 'time' or 'streams'", nameof(orderIds));
        var request = SampleRequest();
        var digest = SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(request, WeChatJsonContext.Wire.AddOrderRequest));
        var label = OrderProcessor.Label(request);
        var stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        long next = 0;
        using var stop = new CancellationTokenSource(duration);
        var counts = await Task.WhenAll(Enumerable.Range(0, spenders).Select(s => Task.Run(async () =>
        {
            long done = 0;
            while (!stop.IsCancellationRequested)
            {
                var orderId = orderIds == "time"
                    ? $"{stamp}{Interlocked.Increment(ref next):D10}"
                    : string.Create(CultureInfo.InvariantCulture, $"{s}-{done}");
                var draft = new OrderRecord(AppId, orderId, "YTO", "hot", accountId, "", OrderStatus.Normal, digest, label, 0, 0);
                var (code, _) = await store.WriteAsync(OrderProcessor.PlaceOrders, new OrderPlacement(draft, Spends: true),
                    CancellationToken.None);
                if (code != ErrorCodes.Ok) throw new InvalidOperationException($"spend answered {code}");
                done++;
            }
            return done;
        })));
        return counts.Sum();
    }

    /// <summary>An order the size of the documentation's example, so each spend writes what a real one does.</summary>
    private static AddOrderRequest SampleRequest() => new()
    {
        AddSource = 0,
        OrderId = "01234567890123456789",
        Openid = "oABC123456",
        DeliveryId = "YTO",
        BizId = "hot",
        CustomRemark = "易碎物品",
        Sender = new OrderContact
        {
            Name = "张三", Tel = "020-88888888", Mobile = "18666666666", Company = "公司名", PostCode = "123456", Country = "中国",
            Province = "广东省", City = "广州市", Area = "海珠区", Address = "XX路XX号XX大厦XX栋XX",
        },
        Receiver = new OrderContact
        {
            Name = "王小蒙", Tel = "020-77777777", Mobile = "18610000000", Company = "公司名", PostCode = "654321", Country = "中国",
            Province = "广东省", City = "广州市", Area = "天河区", Address = "XX路XX号XX大厦XX栋XX",
        },
        Cargo = new OrderCargo
        {
            Count = 2, Weight = 5.5, SpaceX = 30.5, SpaceY = 20, SpaceZ = 20,
            DetailList = [new CargoDetail { Name = "一千零一夜钻石包", Count = 1 }, new CargoDetail { Name = "爱马仕铂金包", Count = 1 }],
        },
        Shop = new OrderShop
        {
            WxaPath = "/index/index?from=waybill&id=01234567890123456789", ImgUrl = "https://mmbiz.qpic.cn/mmbiz_png/example/0?wx_fmt=png",
            GoodsName = "一千零一夜钻石包&爱马仕铂金包", GoodsCount = 2,
        },
        Insured = new OrderInsured { UseInsured = 1, InsuredValue = 10000 },
        Service = new OrderService { ServiceType = 0, ServiceName = "普通快递" },
    };
}
