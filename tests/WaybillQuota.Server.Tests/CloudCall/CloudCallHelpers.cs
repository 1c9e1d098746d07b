using System.Text.Json.Nodes;
using WaybillQuota.Server.CloudCall;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.CloudCall;

/// <summary>A registered cloud function as a test holds it: where to call, and with which credential.</summary>
public sealed record CloudFunction(string EnvId, string Name, string Credential);

/// <summary>Raw-HTTP helpers of the cloud gateway and its operator routes.</summary>
public static class CloudCallHelpers
{
    public const string AllLogistics = """
        ["logistics.getQuota","logistics.getAllDelivery","logistics.bindAccount","logistics.getAllAccount",
         "logistics.addOrder","logistics.cancelOrder","logistics.getOrder","logistics.batchGetOrder"]
        """;

    /// <summary>Registers an environment of the demo app and answers its credential (shown once).</summary>
    public static async Task<string> RegisterEnvAsync(this ServerHost server, string envId, string? appId = null)
    {
        var r = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs",
            $$"""{"env_id":"{{envId}}","appid":"{{appId ?? server.Demo.Appid}}"}""");
        Assert.True(r.Status == 201, r.Body);
        return r.Json["credential"]!.GetValue<string>();
    }

    public static Task<WireResponse> PutFunctionAsync(this ServerHost server, string envId, string name, string openapiJsonArray) =>
        server.OperatorAsync(HttpMethod.Put, $"/ops/v1/cloud/envs/{envId}/functions/{name}",
            $$$"""{"permissions":{"openapi":{{{openapiJsonArray}}}}}""");

    /// <summary>An environment of the demo app with one function allowed the given APIs.</summary>
    public static async Task<CloudFunction> FunctionAsync(this ServerHost server, string openapiJsonArray, string envId = "test-env",
        string name = "quota")
    {
        var credential = await server.RegisterEnvAsync(envId);
        var put = await server.PutFunctionAsync(envId, name, openapiJsonArray);
        Assert.True(put.Status == 200, put.Body);
        return new CloudFunction(envId, name, credential);
    }

    public static Task<WireResponse> CloudAsync(this ServerHost server, CloudFunction function, string method, string? body) =>
        server.CloudAsync(function.EnvId, function.Name, function.Credential, method, body);

    public static Task<WireResponse> CloudAsync(this ServerHost server, string envId, string functionName, string credential,
        string method, string? body, HttpMethod? httpMethod = null) =>
        server.SendAsync(httpMethod ?? HttpMethod.Post, CloudGateway.RoutePrefix + method, body, new Dictionary<string, string>
        {
            [CloudGateway.EnvHeader] = envId,
            [CloudGateway.FunctionHeader] = functionName,
            ["Authorization"] = $"Bearer {credential}",
        });

    public static int CloudErrCode(this WireResponse r) => r.Json["errCode"]?.GetValue<int>() ?? 0;

    public static string CloudErrMsg(this WireResponse r) => r.Json["errMsg"]?.GetValue<string>() ?? "";

    /// <summary>A failure of the cloud form: 200, WeChat's content type, exactly errCode and errMsg, the text ending in a rid.</summary>
    public static void AssertCloudError(WireResponse r, string method, int errCode, string text)
    {
        Assert.Equal(200, r.Status);
        Assert.Equal("application/json; encoding=utf-8", r.ContentType);
        Assert.Equal(errCode, r.CloudErrCode());
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape($"openapi.logistics.{method}:fail {text}")} rid: [0-9a-f]{{8}}-[0-9a-f]{{8}}-[0-9a-f]{{8}}$",
            r.CloudErrMsg());
        Assert.Equal(2, r.Json.AsObject().Count);
    }

    public static void AssertDenied(WireResponse r, string method)
    {
        Assert.Equal(200, r.Status);
        Assert.Equal("application/json; encoding=utf-8", r.ContentType);
        var expected = new JsonObject
        {
            ["errCode"] = -604101,
            ["errMsg"] = $"openapi.logistics.{method}:fail system error: error code: -604101",
        };
        Assert.True(JsonNode.DeepEquals(expected, r.Json), r.Body);
    }

    /// <summary>The errmsg with its rid cut off, to compare two answers that differ only in their request ids.</summary>
    public static string WithoutRid(string errMsg)
    {
        var at = errMsg.LastIndexOf(" rid: ", StringComparison.Ordinal);
        return at < 0 ? errMsg : errMsg[..at];
    }
}
