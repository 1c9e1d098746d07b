using WaybillQuota.Client.Tests.Infrastructure;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Tests.Client;

/// <summary>Orders through the client against the real server: each spends one waybill of the test's own account.</summary>
public sealed class RealServerOrderTests(ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(WeChatLogisticsClient Client, string BizId)> BoundAppAsync(int waybills)
    {
        var (appId, secret) = await server.CreateAppAsync(Ct);
        var bizId = await server.CreateAccountAsync("YTO", "pw-orders", waybills, Ct);
        var client = WeChatLogisticsClient.Create(server.Options(appId, secret));
        await client.BindAccountAsync("YTO", bizId, "pw-orders", cancellationToken: Ct);
        return (client, bizId);
    }

    private static AddOrderRequest Order(string bizId, string orderId) => WaybillQuota.Cli.Commands.SampleOrder with
    {
        DeliveryId = "YTO",
        BizId = bizId,
        OrderId = orderId,
    };

    [Fact]
    public async Task AddOrderAsync_BoundAccount_SpendsOneWaybillAndCancelGivesItBack()
    {
        var (client, bizId) = await BoundAppAsync(waybills: 3);

        var added = await client.AddOrderAsync(Order(bizId, "order-1"), Ct);
        var afterAdd = await client.GetQuotaAsync("YTO", bizId, Ct);
        var order = await client.GetOrderAsync(new GetOrderRequest
        {
            OrderId = "order-1", DeliveryId = "YTO", WaybillId = added.WaybillId, Openid = Order(bizId, "order-1").Openid,
        }, Ct);
        await client.CancelOrderAsync(new CancelOrderRequest
        {
            OrderId = "order-1", DeliveryId = "YTO", WaybillId = added.WaybillId, Openid = Order(bizId, "order-1").Openid,
        }, Ct);
        var afterCancel = await client.GetQuotaAsync("YTO", bizId, Ct);

        Assert.Equal("order-1", added.OrderId);
        Assert.False(string.IsNullOrEmpty(added.WaybillId));
        Assert.Equal(2, afterAdd);
        Assert.Equal(added.WaybillId, order.WaybillId);
        Assert.Equal(3, afterCancel);
    }

    [Fact]
    public async Task AddOrderAsync_IdenticalRetry_AnswersTheSameWaybillWithoutSpendingAgain()
    {
        var (client, bizId) = await BoundAppAsync(waybills: 5);

        var first = await client.AddOrderAsync(Order(bizId, "order-retry"), Ct);
        var again = await client.AddOrderAsync(Order(bizId, "order-retry"), Ct);

        Assert.Equal(first.WaybillId, again.WaybillId);
        Assert.Equal(4, await client.GetQuotaAsync("YTO", bizId, Ct));
    }

    [Fact]
    public async Task AddOrderAsync_EmptyAccount_ThrowsQuotaNotEnough()
    {
        var (client, bizId) = await BoundAppAsync(waybills: 0);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.AddOrderAsync(Order(bizId, "order-empty"), Ct));

        Assert.Equal(ErrorCodes.QuotaNotEnough, ex.ErrorCode);
        Assert.NotNull(ex.Rid);
    }

    [Fact]
    public async Task CancelOrderAsync_Twice_ThrowsOrderCancelled()
    {
        var (client, bizId) = await BoundAppAsync(waybills: 1);
        var added = await client.AddOrderAsync(Order(bizId, "order-c"), Ct);
        var cancel = new CancelOrderRequest { OrderId = "order-c", DeliveryId = "YTO", WaybillId = added.WaybillId, Openid = Order(bizId, "order-c").Openid };
        await client.CancelOrderAsync(cancel, Ct);

        var ex = await Assert.ThrowsAsync<WeChatApiException>(() => client.CancelOrderAsync(cancel, Ct));

        Assert.Equal(ErrorCodes.OrderCancelled, ex.ErrorCode);
        Assert.Equal(1, await client.GetQuotaAsync("YTO", bizId, Ct));
    }

    [Fact]
    public async Task BatchGetOrderAsync_KnownAndUnknownOrders_AnswersEachWithItsOwnErrcode()
    {
        var (client, bizId) = await BoundAppAsync(waybills: 2);
        var added = await client.AddOrderAsync(Order(bizId, "order-b"), Ct);

        var answer = await client.BatchGetOrderAsync(new BatchGetOrderRequest
        {
            OrderList =
            [
                new OrderKey { OrderId = "order-b", DeliveryId = "YTO", WaybillId = added.WaybillId },
                new OrderKey { OrderId = "no-such-order", DeliveryId = "YTO", WaybillId = "nothing" },
            ],
        }, Ct);

        Assert.Equal(2, answer.OrderList.Count);
        Assert.Equal(0, answer.OrderList[0].ErrCode);
        Assert.Equal(added.WaybillId, answer.OrderList[0].WaybillId);
        Assert.NotEqual(0, answer.OrderList[1].ErrCode);
    }
}
