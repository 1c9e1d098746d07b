using System.Text.Json.Nodes;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Orders;

/// <summary>Order requests built from the documentation's example, and the reads the order suites check state with.</summary>
internal static class OrderWire
{
    /// <summary>The documentation's addOrder request with its own order_id (and, optionally, another account).</summary>
    public static JsonObject Example(string orderId, string deliveryId = "YTO", string bizId = "xyz")
    {
        var body = Spec.Json("addOrder.request.json").AsObject();
        body["order_id"] = orderId;
        body["delivery_id"] = deliveryId;
        body["biz_id"] = bizId;
        return body;
    }

    /// <summary>Sets (or with a null value removes) the field at a dotted path such as <c>sender.name</c>.</summary>
    public static JsonObject With(this JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1]) parent = parent[part]!.AsObject();
        if (value is null) parent.Remove(parts[^1]);
        else parent[parts[^1]] = value;
        return root;
    }

    public static JsonObject Without(this JsonObject root, string paths)
    {
        foreach (var path in paths.Split(',')) root.With(path, null);
        return root;
    }

    public static Task<WireResponse> AddAsync(this ServerHost server, string token, JsonObject body) =>
        server.PostAsync($"{OrderApi.AddPath}?access_token={token}", body.ToJsonString());

    public static Task<WireResponse> CancelAsync(this ServerHost server, string token, string orderId, string waybillId,
        string deliveryId = "YTO") =>
        server.PostAsync($"{OrderApi.CancelPath}?access_token={token}", new JsonObject
        {
            ["order_id"] = orderId,
            ["openid"] = "oABC123456",
            ["delivery_id"] = deliveryId,
            ["waybill_id"] = waybillId,
        }.ToJsonString());

    public static Task<WireResponse> GetOrderAsync(this ServerHost server, string token, string orderId, string deliveryId = "YTO",
        string? waybillId = null) =>
        server.PostAsync($"{OrderApi.GetPath}?access_token={token}", new JsonObject
        {
            ["order_id"] = orderId,
            ["delivery_id"] = deliveryId,
            ["waybill_id"] = waybillId,
        }.ToJsonString());

    public static async Task<int> QuotaAsync(this ServerHost server, string token, string deliveryId = "YTO", string bizId = "xyz")
    {
        var r = await server.PostAsync($"/cgi-bin/express/business/quota/get?access_token={token}",
            new JsonObject { ["delivery_id"] = deliveryId, ["biz_id"] = bizId }.ToJsonString());
        return r.Json["quota_num"]!.GetValue<int>();
    }

    /// <summary>A new app (through the operator API) and a token of it.</summary>
    public static async Task<string> NewAppTokenAsync(this ServerHost server, string name)
    {
        var app = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", new JsonObject { ["name"] = name }.ToJsonString());
        var r = await server.GetAsync(
            $"/cgi-bin/token?grant_type=client_credential&appid={app.Json["appid"]}&secret={app.Json["secret"]}");
        return r.Json["access_token"]!.GetValue<string>();
    }

    /// <summary>Sets the demo account's balance through the operator API (an adjustment).</summary>
    public static async Task SetDemoBalanceAsync(this ServerHost server, int balance)
    {
        var delta = balance - (await server.Store.FindAccountAsync("YTO", "xyz", TestContext.Current.CancellationToken))!.Balance;
        if (delta == 0) return;
        var r = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/adjustments",
            new JsonObject { ["amount"] = delta }.ToJsonString(), $"set-{balance}-{Guid.NewGuid():N}");
        Assert.Equal(200, r.Status);
    }

    public static async Task<IReadOnlyList<LedgerEntry>> LedgerAsync(this ServerHost server, string deliveryId = "YTO", string bizId = "xyz")
    {
        var ct = TestContext.Current.CancellationToken;
        var account = (await server.Store.FindAccountAsync(deliveryId, bizId, ct))!;
        return await server.Store.ReadLedgerAsync(account.Id, 0, 1_000_000, ct);
    }

    /// <summary>Invariant 1 of DESIGN.md, checked on the database: the entries chain, sum to the balance, and it is ≥ 0.</summary>
    public static async Task<int> AssertLedgerInvariantAsync(this ServerHost server, string deliveryId = "YTO", string bizId = "xyz")
    {
        var entries = await server.LedgerAsync(deliveryId, bizId);
        var running = 0;
        foreach (var entry in entries)
        {
            running += entry.Delta;
            Assert.Equal(running, entry.BalanceAfter);
            Assert.True(running >= 0, $"the balance went to {running} at seq {entry.Seq}");
        }
        Assert.Equal(entries.Count, entries.Select(e => e.Reference).Distinct().Count());
        var stored = (await server.Store.ListAccountsAsync(TestContext.Current.CancellationToken))
            .Single(a => a.DeliveryId == deliveryId && a.BizId == bizId);
        Assert.Equal(running, stored.Balance);
        return running;
    }
}
