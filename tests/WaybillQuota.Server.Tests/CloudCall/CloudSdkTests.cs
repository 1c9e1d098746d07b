using Microsoft.Extensions.DependencyInjection;
using WaybillQuota.Client.Cloud;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Tests.CloudCall;

/// <summary>The .NET cloud SDK against the real server on loopback (real Kestrel, real database).</summary>
public abstract class CloudSdkTests : EngineTests
{
    private static WxCloud Sdk(ServerHost server, CloudFunction function) => WxCloud.Init(new CloudOptions
    {
        BaseAddress = server.BaseAddress,
        Env = function.EnvId,
        FunctionName = function.Name,
        Credential = function.Credential,
    });

    [Fact]
    public async Task GetQuotaAsync_TheDocumentationsCall_AnswersQuotaNumAndErrMsg()
    {
        await using var server = await StartAsync();
        using var cloud = Sdk(server, await server.FunctionAsync("""["logistics.getQuota"]"""));

        // The sample's function, line for line.
        var result = await cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, Ct);

        Assert.Equal(210, result.QuotaNum);
        Assert.Equal("openapi.logistics.getQuota:ok", result.ErrMsg);
        Assert.Equal(Spec.Text("cloud.getQuota.response.json").ReplaceLineEndings("").Replace(" ", "", StringComparison.Ordinal),
            System.Text.Json.JsonSerializer.Serialize(result, CloudJsonContext.Wire.GetQuotaResult));
    }

    [Fact]
    public async Task ApiNotDeclared_ThrowsWithErrCode604101AndItsExactErrMsg()
    {
        await using var server = await StartAsync();
        using var cloud = Sdk(server, await server.FunctionAsync("""["logistics.getAllDelivery"]"""));

        var e = await Assert.ThrowsAsync<CloudCallException>(() =>
            cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, Ct));

        Assert.Equal(-604101, e.ErrCode);
        Assert.Equal("openapi.logistics.getQuota:fail system error: error code: -604101", e.ErrMsg);
        Assert.True(e.IsPermissionDenied);
        Assert.Null(e.Rid);
        Assert.Equal("getQuota", e.Api);
    }

    [Fact]
    public async Task BusinessError_ThrowsTheHttpFormsErrcodeWithItsRid()
    {
        await using var server = await StartAsync();
        using var cloud = Sdk(server, await server.FunctionAsync("""["logistics.getQuota"]"""));

        var e = await Assert.ThrowsAsync<CloudCallException>(() =>
            cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "nobody" }, Ct));

        Assert.Equal(ErrorCodes.BizIdNotBound, e.ErrCode);
        Assert.StartsWith("openapi.logistics.getQuota:fail bizid not bind rid: ", e.ErrMsg, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$", e.Rid);
        Assert.False(e.IsTransient);
        // The rid is the one the server logged with the request, so an operator can find it.
        Assert.Contains($"rid: {e.Rid}", server.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCredential_Throws40001()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");
        using var cloud = Sdk(server, function with { Credential = "not-the-credential-0000000000000" });

        var e = await Assert.ThrowsAsync<CloudCallException>(() =>
            cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, Ct));

        Assert.Equal(ErrorCodes.InvalidCredential, e.ErrCode);
    }

    [Fact]
    public async Task GetAllDeliveryAndGetAllAccount_AnswerTheCatalogueAndTheBindings()
    {
        await using var server = await StartAsync();
        using var cloud = Sdk(server, await server.FunctionAsync("""["logistics.getAllDelivery","logistics.getAllAccount"]"""));

        var carriers = await cloud.OpenApi.Logistics.GetAllDeliveryAsync(Ct);
        var accounts = await cloud.OpenApi.Logistics.GetAllAccountAsync(Ct);

        Assert.Equal("openapi.logistics.getAllDelivery:ok", carriers.ErrMsg);
        Assert.Equal(carriers.Data.Count, carriers.Count);
        var yto = Assert.Single(carriers.Data, d => d.DeliveryId == "YTO");
        Assert.Equal("圆通速递", yto.DeliveryName);
        Assert.Equal(1, yto.CanGetQuota);
        Assert.Contains(yto.ServiceType, s => s.ServiceType == 0 && s.ServiceName == "普通快递");

        Assert.Equal("openapi.logistics.getAllAccount:ok", accounts.ErrMsg);
        var account = Assert.Single(accounts.List);
        Assert.Equal(("YTO", "xyz", 210), (account.DeliveryId, account.BizId, account.QuotaNum));
    }

    [Fact]
    public async Task BindAccountAsync_BindsThenRefusesASecondBind()
    {
        await using var server = await StartAsync();
        using var cloud = Sdk(server, await server.FunctionAsync("""["logistics.bindAccount","logistics.getQuota"]"""));
        Assert.Equal(201, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts",
            """{"delivery_id":"ZTO","biz_id":"sdk-shop","password":"pw-123456"}""")).Status);
        var bind = new BindAccountRequest { Type = "bind", DeliveryId = "ZTO", BizId = "sdk-shop", Password = "pw-123456" };

        var bound = await cloud.OpenApi.Logistics.BindAccountAsync(bind, Ct);

        Assert.Equal((0, "openapi.logistics.bindAccount:ok"), (bound.ErrCode, bound.ErrMsg));
        Assert.Equal(0, (await cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "ZTO", BizId = "sdk-shop" }, Ct)).QuotaNum);
        var again = await Assert.ThrowsAsync<CloudCallException>(() => cloud.OpenApi.Logistics.BindAccountAsync(bind, Ct));
        Assert.Equal(ErrorCodes.AccountAlreadyBound, again.ErrCode);
    }

    [Fact]
    public async Task Orders_AddGetBatchGetCancel_ThroughTheSdk()
    {
        await using var server = await StartAsync();
        if (!server.Services.GetServices<IWeChatApi>().Any(a => a.CloudName == "addOrder"))
            Assert.Skip("The order APIs (issue 3) are not registered on this branch yet.");
        using var cloud = Sdk(server, await server.FunctionAsync(CloudCallHelpers.AllLogistics));
        var order = System.Text.Json.JsonSerializer.Deserialize(Spec.Text("addOrder.request.json"), WeChatJsonContext.Wire.AddOrderRequest)!;

        var added = await cloud.OpenApi.Logistics.AddOrderAsync(order, Ct);
        Assert.Equal("openapi.logistics.addOrder:ok", added.ErrMsg);
        Assert.Equal(order.OrderId, added.OrderId);
        Assert.NotEmpty(added.WaybillId);
        Assert.Equal(209, (await cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, Ct)).QuotaNum);

        var got = await cloud.OpenApi.Logistics.GetOrderAsync(new()
        {
            OrderId = order.OrderId, Openid = order.Openid, DeliveryId = "YTO", WaybillId = added.WaybillId,
        }, Ct);
        Assert.Equal((added.WaybillId, 0, "openapi.logistics.getOrder:ok"), (got.WaybillId, got.OrderStatus, got.ErrMsg));

        var batch = await cloud.OpenApi.Logistics.BatchGetOrderAsync(new()
        {
            OrderList = [new() { OrderId = order.OrderId, DeliveryId = "YTO", WaybillId = added.WaybillId }],
        }, Ct);
        var item = Assert.Single(batch.OrderList);
        Assert.Equal((0, added.WaybillId), (item.ErrCode, item.WaybillId));

        var cancelled = await cloud.OpenApi.Logistics.CancelOrderAsync(new()
        {
            OrderId = order.OrderId, Openid = order.Openid, DeliveryId = "YTO", WaybillId = added.WaybillId,
        }, Ct);
        Assert.Equal((0, "openapi.logistics.cancelOrder:ok"), (cancelled.ErrCode, cancelled.ErrMsg));
        Assert.Equal(210, (await cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, Ct)).QuotaNum);
        var twice = await Assert.ThrowsAsync<CloudCallException>(() => cloud.OpenApi.Logistics.CancelOrderAsync(new()
        {
            OrderId = order.OrderId, Openid = order.Openid, DeliveryId = "YTO", WaybillId = added.WaybillId,
        }, Ct));
        Assert.Equal(ErrorCodes.OrderCancelled, twice.ErrCode);
    }

    [Fact]
    public async Task ServerNotListening_ThrowsATransientSystemError()
    {
        using var cloud = WxCloud.Init(new CloudOptions
        {
            BaseAddress = new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}/"),
            Env = "env",
            FunctionName = "f",
            Credential = "credential-000000000000000000000",
        });

        var e = await Assert.ThrowsAsync<CloudCallException>(() =>
            cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, Ct));

        Assert.Equal(ErrorCodes.SystemError, e.ErrCode);
        Assert.True(e.IsTransient);
        Assert.IsType<HttpRequestException>(e.InnerException);
    }

    [Fact]
    public async Task CancelledToken_CancelsTheCall()
    {
        await using var server = await StartAsync();
        using var cloud = Sdk(server, await server.FunctionAsync("""["logistics.getQuota"]"""));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" }, cancelled.Token));
    }

    [Fact]
    public void Init_WithoutEnvironmentOrCredential_SaysWhatIsMissing()
    {
        var e = Assert.Throws<InvalidOperationException>(() => WxCloud.Init(new CloudOptions { Env = "env", FunctionName = "f" }));
        Assert.Contains(CloudOptions.CredentialVariable, e.Message, StringComparison.Ordinal);
    }
}

public sealed class CloudSdkTests_Sqlite : CloudSdkTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class CloudSdkTests_Postgres : CloudSdkTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
