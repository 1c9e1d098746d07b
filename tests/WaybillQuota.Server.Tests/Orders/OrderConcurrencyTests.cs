using System.Collections.Concurrent;
using System.Security.Cryptography;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Orders;

/// <summary>Many callers on one hot account: the balance never goes below zero, no waybill is spent twice, none is lost.</summary>
public abstract class OrderConcurrencyTests : EngineTests
{
    private const int Callers = 64;

    [Fact]
    public async Task AddOrder_ThreeTimesMoreCallsThanWaybills_ExactlyTheBalanceSucceeds()
    {
        const int waybills = 100;
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        await server.SetDemoBalanceAsync(waybills);

        var results = await RunAsync(Enumerable.Range(0, 3 * waybills).Select(i => $"hot-{i}"),
            id => server.AddAsync(token, OrderWire.Example(id)));

        var succeeded = results.Where(r => r.Response.Json["waybill_id"] is not null).ToList();
        Assert.Equal(waybills, succeeded.Count);
        Assert.All(results.Except(succeeded), r => Assert.Equal(ErrorCodes.QuotaNotEnough, r.Response.ErrCode));
        Assert.Equal(waybills, succeeded.Select(r => r.Response.Json["waybill_id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal(0, await server.QuotaAsync(token));
        Assert.Equal(0, await server.AssertLedgerInvariantAsync());

        // Exactly the acknowledged orders spent, each once.
        var spent = (await server.LedgerAsync()).Where(e => e.Kind == LedgerKinds.Consume).Select(e => e.Reference).Order().ToList();
        Assert.Equal(succeeded.Select(r => OrderProcessor.ConsumeReference(server.Demo.Appid, r.Id)).Order(), spent);
    }

    [Fact]
    public async Task AddAndCancel_Concurrently_KeepTheInvariantAndRefundEachOrderOnce()
    {
        const int waybills = 40;
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        await server.SetDemoBalanceAsync(waybills);
        var cancelled = new ConcurrentBag<string>();

        var results = await RunAsync(Enumerable.Range(0, 160).Select(i => $"mix-{i}"), async id =>
        {
            var added = await server.AddAsync(token, OrderWire.Example(id));
            if (added.Json["waybill_id"]?.GetValue<string>() is { } waybill && int.Parse(id[4..], System.Globalization.CultureInfo.InvariantCulture) % 2 == 0)
            {
                // Two cancels race: exactly one refunds.
                var cancels = await Task.WhenAll(server.CancelAsync(token, id, waybill), server.CancelAsync(token, id, waybill));
                Assert.Equal($"0,{ErrorCodes.OrderCancelled}", string.Join(',', cancels.Select(c => c.ErrCode).Order()));
                cancelled.Add(id);
            }
            return added;
        });

        var live = results.Count(r => r.Response.Json["waybill_id"] is not null) - cancelled.Count;
        Assert.All(results.Where(r => r.Response.Json["waybill_id"] is null),
            r => Assert.Equal(ErrorCodes.QuotaNotEnough, r.Response.ErrCode));
        Assert.Equal(waybills - live, await server.QuotaAsync(token));
        Assert.Equal(waybills - live, await server.AssertLedgerInvariantAsync());
        Assert.Equal(cancelled.Count, (await server.LedgerAsync()).Count(e => e.Kind == LedgerKinds.Refund));
        foreach (var id in cancelled.Take(10))
            Assert.Equal(1, (await server.GetOrderAsync(token, id)).Json["order_status"]!.GetValue<int>());
    }

    [Fact]
    public async Task AddOrder_ConcurrentIdenticalRetries_SpendOneWaybill()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();

        var results = await RunAsync(Enumerable.Repeat("same-1", Callers), id => server.AddAsync(token, OrderWire.Example(id)));

        Assert.Single(results.Select(r => r.Response.Body).Distinct());
        Assert.NotNull(results[0].Response.Json["waybill_id"]);
        Assert.Equal(209, await server.QuotaAsync(token));
        Assert.Single(await server.LedgerAsync(), e => e.Kind == LedgerKinds.Consume);
    }

    [Fact]
    public async Task GroupCommit_WritesQueuedBehindACommit_AreCommittedTogetherInOneTransaction()
    {
        await using var server = await StartAsync();
        var store = (SqlWaybillStore)server.Store;
        var account = (await store.FindAccountAsync("YTO", "xyz", Ct))!;
        var before = store.Commits;

        // Holds the writer inside a transaction, as a slow fsync would, while 100 spends queue up.
        var spends = await store.QueueBehindTheWriterAsync(() => Enumerable.Range(0, 100)
            .Select(i => store.WriteAsync(OrderProcessor.PlaceOrders, new OrderPlacement(Draft(server.Demo.Appid, account.Id, $"gc-{i}"), Spends: true), Ct))
            .ToList(), Ct);
        var results = await Task.WhenAll(spends);

        Assert.All(results, r => Assert.Equal(ErrorCodes.Ok, r.Code));
        Assert.Equal(before + 2, store.Commits);
        Assert.Equal(110, (await store.FindAccountAsync("YTO", "xyz", Ct))!.Balance);
        await server.AssertLedgerInvariantAsync();
    }

    [Fact]
    public async Task GroupCommit_ALoneWrite_IsCommittedAtOnceWithoutWaitingForABatch()
    {
        await using var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var store = (SqlWaybillStore)server.Store;
        var before = store.Commits;

        // Answered at all means committed: the writer never waits for company before committing.
        for (var i = 0; i < 5; i++) Assert.NotNull((await server.AddAsync(token, OrderWire.Example($"alone-{i}"))).Json["waybill_id"]);

        Assert.Equal(before + 5, store.Commits);
    }

    private static OrderRecord Draft(string appId, long accountId, string orderId) =>
        new(appId, orderId, "YTO", "xyz", accountId, "", OrderStatus.Normal, SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(orderId)),
            "{}", 0, 0);

    /// <summary>Runs <paramref name="call"/> once per id from <see cref="Callers"/> concurrent callers.</summary>
    private static async Task<List<(string Id, WireResponse Response)>> RunAsync(IEnumerable<string> ids,
        Func<string, Task<WireResponse>> call)
    {
        var queue = new ConcurrentQueue<string>(ids);
        var results = new ConcurrentBag<(string, WireResponse)>();
        await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
        {
            while (queue.TryDequeue(out var id)) results.Add((id, await call(id)));
        })));
        return [.. results];
    }
}

public sealed class OrderConcurrencyTests_Sqlite : OrderConcurrencyTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class OrderConcurrencyTests_Postgres : OrderConcurrencyTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
