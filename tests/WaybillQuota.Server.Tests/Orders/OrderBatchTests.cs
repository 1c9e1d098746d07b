using System.Security.Cryptography;
using System.Text;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Orders;

/// <summary>
/// addOrders that meet in one batch are placed by one set-based call (<see cref="OrderProcessor.PlaceOrders"/>); each
/// must still be answered exactly as if it had been placed alone, in queue order.
/// </summary>
public abstract class OrderBatchTests : EngineTests
{
    [Fact]
    public async Task OneBatch_RepeatsConflictsAndTheLastWaybill_AreAnsweredAsIfPlacedOneByOne()
    {
        await using var server = await StartAsync();
        await server.SetDemoBalanceAsync(3);
        var store = (SqlWaybillStore)server.Store;
        var account = (await store.FindAccountAsync("YTO", "xyz", Ct))!;
        var app = server.Demo.Appid;
        var before = store.Commits;

        var results = await InOneBatchAsync(store,
            Spend(app, account.Id, "a"),
            Spend(app, account.Id, "a"),                 // identical repeat of a queued order
            Spend(app, account.Id, "b"),
            Spend(app, account.Id, "a", body: "other"),  // same order_id, other content
            Free(app, "t"),                              // the TEST carrier: no balance involved
            Spend(app, account.Id, "c"),                 // the last waybill
            Spend(app, account.Id, "d"),
            Spend(app, account.Id, "d"),
            Spend(app, account.Id, "e"));

        Assert.Equal(before + 2, store.Commits); // the blocker's transaction, then all nine in one
        Assert.Equal(
            [ErrorCodes.Ok, ErrorCodes.Ok, ErrorCodes.Ok, ErrorCodes.OrderIdUsed, ErrorCodes.Ok, ErrorCodes.Ok,
                ErrorCodes.QuotaNotEnough, ErrorCodes.QuotaNotEnough, ErrorCodes.QuotaNotEnough],
            results.Select(r => r.Code));
        Assert.Equal(results[0].Order!.WaybillId, results[1].Order!.WaybillId);
        Assert.Equal(4, results.Where(r => r.Order is not null).Select(r => r.Order!.WaybillId).Distinct().Count());
        Assert.StartsWith("TEST", results[4].Order!.WaybillId, StringComparison.Ordinal);

        Assert.Equal(0, (await store.FindAccountAsync("YTO", "xyz", Ct))!.Balance);
        Assert.Equal(0, await server.AssertLedgerInvariantAsync());
        var spent = (await server.LedgerAsync()).Where(e => e.Kind == LedgerKinds.Consume).Select(e => e.Reference).Order();
        Assert.Equal(["a", "b", "c"], spent.Select(r => r[(r.LastIndexOf(':') + 1)..]));
        // The orders the balance did not cover were taken back out; the others are stored as answered.
        Assert.Null(await store.FindOrderAsync(app, "d", Ct));
        Assert.Null(await store.FindOrderAsync(app, "e", Ct));
        Assert.Equal(results[5].Order!.WaybillId, (await store.FindOrderAsync(app, "c", Ct))!.WaybillId);
    }

    [Fact]
    public async Task OneBatch_OrderIdsPlacedEarlier_AnswerTheirFirstWaybillOrOrderIdUsed_AndSpendNothingMore()
    {
        await using var server = await StartAsync();
        var store = (SqlWaybillStore)server.Store;
        var account = (await store.FindAccountAsync("YTO", "xyz", Ct))!;
        var app = server.Demo.Appid;
        var first = await store.WriteAsync(OrderProcessor.PlaceOrders, Spend(app, account.Id, "x"), Ct);
        Assert.Equal(ErrorCodes.Ok, first.Code);

        var results = await InOneBatchAsync(store,
            Spend(app, account.Id, "x"),
            Spend(app, account.Id, "x", body: "changed"),
            Spend(app, account.Id, "y"));

        Assert.Equal([ErrorCodes.Ok, ErrorCodes.OrderIdUsed, ErrorCodes.Ok], results.Select(r => r.Code));
        Assert.Equal(first.Order!.WaybillId, results[0].Order!.WaybillId);
        Assert.Equal(208, (await store.FindAccountAsync("YTO", "xyz", Ct))!.Balance);
        Assert.Equal(208, await server.AssertLedgerInvariantAsync());
    }

    [Fact]
    public async Task WaybillNumbers_RunInSequence_AndANumberTakenAlreadyIsSkipped()
    {
        await using var server = await StartAsync();
        var store = (SqlWaybillStore)server.Store;
        var account = (await store.FindAccountAsync("YTO", "xyz", Ct))!;
        var app = server.Demo.Appid;

        var one = await store.WriteAsync(OrderProcessor.PlaceOrders, Spend(app, account.Id, "n1"), Ct);
        // An order from before numbers were sequential happens to hold the number the next order would get.
        var taken = await store.WriteAsync(tx =>
        {
            var next = tx.NextWaybillNumbers("YTO", 1)[0];
            var squatter = Spend(app, account.Id, "squatter").Draft with { WaybillId = Waybills.Format("YTO", next + 1) };
            Assert.True(tx.TryInsertOrder(squatter));
            return next;
        }, Ct);
        var two = await store.WriteAsync(OrderProcessor.PlaceOrders, Spend(app, account.Id, "n2"), Ct);

        Assert.Matches("^YT[0-9]{13}$", one.Order!.WaybillId);
        Assert.Equal(ErrorCodes.Ok, two.Code);
        Assert.Equal(Waybills.Format("YTO", taken + 2), two.Order!.WaybillId);
        Assert.True(string.CompareOrdinal(one.Order.WaybillId, two.Order.WaybillId) < 0);
        Assert.Equal(208, await server.AssertLedgerInvariantAsync());
    }

    [Fact]
    public async Task BulkWrite_OneFailingItem_FailsAloneAndTheOthersOfItsBatchCommit()
    {
        await using var server = await StartAsync();
        var store = (SqlWaybillStore)server.Store;
        var calls = new List<string[]>();
        BulkWrite<string, string> work = (tx, items, results) =>
        {
            lock (calls) calls.Add([.. items]);
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] == "bad") throw new InvalidOperationException("a faulty write");
                tx.SetSetting($"bulk:{items[i]}", items[i]);
                results[i] = items[i].ToUpperInvariant();
            }
        };

        var (good1, bad, good2) = await store.QueueBehindTheWriterAsync(
            () => (store.WriteAsync(work, "one", Ct), store.WriteAsync(work, "bad", Ct), store.WriteAsync(work, "two", Ct)), Ct);

        Assert.Equal("ONE", await good1);
        Assert.Equal("TWO", await good2);
        await Assert.ThrowsAsync<InvalidOperationException>(() => bad);
        Assert.Equal(["one,bad,two", "one", "bad", "two"], calls.Select(c => string.Join(',', c)));
        Assert.Equal("one", await store.WriteAsync(tx => tx.GetSetting("bulk:one"), Ct));
        Assert.Null(await store.WriteAsync(tx => tx.GetSetting("bulk:bad"), Ct));
    }

    /// <summary>Queues every placement while the writer is held, so that all of them share one batch.</summary>
    private static async Task<PlaceResult[]> InOneBatchAsync(SqlWaybillStore store, params OrderPlacement[] placements) =>
        await Task.WhenAll(await store.QueueBehindTheWriterAsync(
            () => placements.Select(p => store.WriteAsync(OrderProcessor.PlaceOrders, p, Ct)).ToList(), Ct));

    private static OrderPlacement Spend(string appId, long accountId, string orderId, string body = "") =>
        new(new OrderRecord(appId, orderId, "YTO", "xyz", accountId, "", OrderStatus.Normal,
            SHA256.HashData(Encoding.UTF8.GetBytes(orderId + body)), "{}", 0, 0), Spends: true);

    private static OrderPlacement Free(string appId, string orderId) =>
        new(new OrderRecord(appId, orderId, "TEST", "test_biz_id", null, "", OrderStatus.Normal,
            SHA256.HashData(Encoding.UTF8.GetBytes(orderId)), "{}", 0, 0), Spends: false);
}

public sealed class OrderBatchTests_Sqlite : OrderBatchTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class OrderBatchTests_Postgres : OrderBatchTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
