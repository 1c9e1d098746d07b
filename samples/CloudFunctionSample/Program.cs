using System.Text.Json;
using System.Text.Json.Nodes;
using CloudFunctionSample;
using WaybillQuota.Client.Cloud;

// The runtime's part: where wx-server-sdk learns its environment from the platform, this reads
// WAYBILLQUOTA_CLOUD_URL, _ENV, _FUNCTION and _CREDENTIAL (see README.md), runs the function once and prints
// what it returns, as the WeChat DevTools print a cloud function's result.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    using var cloud = WxCloud.Init();
    var result = await Function.MainAsync(cloud, cancel.Token);
    Console.WriteLine(JsonSerializer.Serialize(result, CloudJsonContext.Wire.GetQuotaResult));
    return 0;
}
catch (CloudCallException e)
{
    // What the Node function's promise would be rejected with.
    Console.WriteLine(new JsonObject { ["errCode"] = e.ErrCode, ["errMsg"] = e.ErrMsg }.ToJsonString());
    return 1;
}
catch (InvalidOperationException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
