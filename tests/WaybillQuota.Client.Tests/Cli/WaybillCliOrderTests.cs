using System.Text.Json.Nodes;
using WaybillQuota.Cli;
using WaybillQuota.Client.Tests.Infrastructure;

namespace WaybillQuota.Client.Tests.Cli;

/// <summary>waybill order add|get|cancel against the real server, on an account of the test's own.</summary>
public sealed class WaybillCliOrderTests(ServerFixture server)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(int Code, string Output, string Error)> RunAsync(Dictionary<string, string> variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment
        {
            GetVariable = name => variables.TryGetValue(name, out var value) ? value : null,
            HomeDirectory = Path.Combine(Path.GetTempPath(), "waybill-cli-none-" + Guid.NewGuid().ToString("N")),
        };
        var code = await WaybillCli.RunAsync(args, output, error, environment, Ct);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task RunAsync_OrderAddGetCancel_SpendsAndGivesBackOneWaybill()
    {
        var (appId, secret) = await server.CreateAppAsync(Ct);
        var bizId = await server.CreateAccountAsync("YTO", "pw-cli-order", 2, Ct);
        var env = new Dictionary<string, string>
        {
            ["WAYBILL_SERVER"] = server.BaseAddress.ToString(),
            ["WAYBILL_APPID"] = appId,
            ["WAYBILL_SECRET"] = secret,
        };
        Assert.Equal(0, (await RunAsync(env, "account", "bind", "--delivery", "YTO", "--biz", bizId, "--password", "pw-cli-order")).Code);

        var added = await RunAsync(env, "order", "add", "--delivery", "YTO", "--biz", bizId, "--order-id", "cli-order-1", "--json");
        Assert.Equal(0, added.Code);
        var waybill = JsonNode.Parse(added.Output)!["waybill_id"]!.GetValue<string>();
        var quota = await RunAsync(env, "quota", "get", "--delivery", "YTO", "--biz", bizId, "--json");
        var got = await RunAsync(env, "order", "get", "--order-id", "cli-order-1", "--delivery", "YTO", "--waybill", waybill, "--json");
        var cancelled = await RunAsync(env, "order", "cancel", "--order-id", "cli-order-1", "--delivery", "YTO", "--waybill", waybill);
        var again = await RunAsync(env, "order", "cancel", "--order-id", "cli-order-1", "--delivery", "YTO", "--waybill", waybill);

        Assert.Equal(1, JsonNode.Parse(quota.Output)!["quota_num"]!.GetValue<int>());
        Assert.Equal(0, got.Code);
        Assert.Equal(waybill, JsonNode.Parse(got.Output)!["waybill_id"]!.GetValue<string>());
        Assert.Equal(0, cancelled.Code);
        Assert.Equal(WaybillCli.ApiError, again.Code);
        Assert.Contains("errcode 9300524", again.Error, StringComparison.Ordinal);
    }
}
