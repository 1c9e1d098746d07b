using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Cloud;

/// <summary>
/// <c>cloud.openapi.logistics.*</c>: every express-business API in its cloud form. Each needs its
/// <c>logistics.&lt;method&gt;</c> entry in the function's config.json, else it throws <see cref="CloudCallException"/>
/// with errCode -604101. Failures throw <see cref="CloudCallException"/> with the same errCode as the HTTP form.
/// </summary>
public sealed class CloudLogistics
{
    private readonly WxCloud _cloud;

    internal CloudLogistics(WxCloud cloud) => _cloud = cloud;

    /// <summary><c>logistics.getQuota</c>: the remaining electronic waybills of a bound franchise account.</summary>
    /// <param name="request"><c>{deliveryId, bizId}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{quotaNum, errMsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call failed (e.g. 9300525 not bound, -604101 not permitted).</exception>
    public Task<GetQuotaResult> GetQuotaAsync(GetQuotaRequest request, CancellationToken cancellationToken = default) =>
        _cloud.CallAsync("getQuota", request, CloudJsonContext.Default.GetQuotaRequest, CloudJsonContext.Default.GetQuotaResult,
            cancellationToken);

    /// <summary><c>logistics.getAllDelivery</c>: the carriers.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{count, data, errMsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call failed.</exception>
    public Task<GetAllDeliveryResult> GetAllDeliveryAsync(CancellationToken cancellationToken = default) =>
        _cloud.CallAsync<GetQuotaRequest, GetAllDeliveryResult>("getAllDelivery", null, null, CloudJsonContext.Default.GetAllDeliveryResult,
            cancellationToken);

    /// <summary><c>logistics.bindAccount</c>: binds or unbinds a carrier account.</summary>
    /// <param name="request"><c>{type, bizId, deliveryId, password, remarkContent}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{errCode: 0, errMsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call failed (e.g. 9300529 already bound, 9300531 wrong password).</exception>
    public Task<BindAccountResult> BindAccountAsync(BindAccountRequest request, CancellationToken cancellationToken = default) =>
        _cloud.CallAsync("bindAccount", request, CloudJsonContext.Default.BindAccountRequest, CloudJsonContext.Default.BindAccountResult,
            cancellationToken);

    /// <summary><c>logistics.getAllAccount</c>: the app's bound accounts.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{count, list, errMsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call failed.</exception>
    public Task<GetAllAccountResult> GetAllAccountAsync(CancellationToken cancellationToken = default) =>
        _cloud.CallAsync<GetQuotaRequest, GetAllAccountResult>("getAllAccount", null, null, CloudJsonContext.Default.GetAllAccountResult,
            cancellationToken);

    /// <summary><c>logistics.addOrder</c>: creates a waybill, spending one from the account.</summary>
    /// <param name="request">The order.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{orderId, waybillId, waybillData, deliveryResultcode, deliveryResultmsg, errMsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call failed (e.g. 9300523 no waybills left).</exception>
    public Task<AddOrderResult> AddOrderAsync(AddOrderRequest request, CancellationToken cancellationToken = default) =>
        _cloud.CallAsync("addOrder", request, CloudJsonContext.Default.AddOrderRequest, CloudJsonContext.Default.AddOrderResult,
            cancellationToken);

    /// <summary><c>logistics.cancelOrder</c>: cancels a waybill, giving it back to the account.</summary>
    /// <param name="request"><c>{orderId, openid, deliveryId, waybillId}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{errCode: 0, errMsg, deliveryResultcode, deliveryResultmsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call failed (e.g. 9300524 already cancelled).</exception>
    public Task<CancelOrderResult> CancelOrderAsync(CancelOrderRequest request, CancellationToken cancellationToken = default) =>
        _cloud.CallAsync("cancelOrder", request, CloudJsonContext.Default.CancelOrderRequest, CloudJsonContext.Default.CancelOrderResult,
            cancellationToken);

    /// <summary><c>logistics.getOrder</c>: one order and its label.</summary>
    /// <param name="request"><c>{orderId, openid, deliveryId, waybillId}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The order.</returns>
    /// <exception cref="CloudCallException">The call failed.</exception>
    public Task<GetOrderResult> GetOrderAsync(GetOrderRequest request, CancellationToken cancellationToken = default) =>
        _cloud.CallAsync("getOrder", request, CloudJsonContext.Default.GetOrderRequest, CloudJsonContext.Default.GetOrderResult,
            cancellationToken);

    /// <summary><c>logistics.batchGetOrder</c>: several orders, each answered with its own errCode.</summary>
    /// <param name="request"><c>{orderList: [{orderId, deliveryId, waybillId}]}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><c>{orderList, errMsg}</c>.</returns>
    /// <exception cref="CloudCallException">The call as a whole failed.</exception>
    public Task<BatchGetOrderResult> BatchGetOrderAsync(BatchGetOrderRequest request, CancellationToken cancellationToken = default) =>
        _cloud.CallAsync("batchGetOrder", request, CloudJsonContext.Default.BatchGetOrderRequest,
            CloudJsonContext.Default.BatchGetOrderResult, cancellationToken);
}
