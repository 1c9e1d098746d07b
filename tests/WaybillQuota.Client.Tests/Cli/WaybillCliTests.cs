using System.Text.Json;
using System.Text.Json.Nodes;
using WaybillQuota.Cli;
using WaybillQuota.Client.Tests.Infrastructure;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Tests.Cli;

/// <summary>The waybill command, parsed and run in-process with captured output, against the real server.</summary>
public sealed class WaybillCliTests(ServerFixture server) : IDisposable
{
    private readonly string _home = Path.Combine(Path.GetTempPath(), "waybill-cli-home-" + Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        if (Directory.Exists(_home)) Directory.Delete(_home, recursive: true);
    }

    private sealed record Run(int ExitCode, string Output, string Error);

    private async Task<Run> RunAsync(IReadOnlyDictionary<string, string>? variables, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var environment = new CliEnvironment
        {
            GetVariable = name => variables is not null && variables.TryGetValue(name, out var value) ? value : null,
            HomeDirectory = _home,
        };
        var code = await WaybillCli.RunAsync(args, output, error, environment, Ct);
        return new Run(code, output.ToString(), error.ToString());
    }

    private Dictionary<string, string> DemoEnvironment() => new()
    {
        ["WAYBILL_SERVER"] = server.BaseAddress.ToString(),
        ["WAYBILL_APPID"] = server.DemoAppId,
        ["WAYBILL_SECRET"] = server.DemoSecret,
        ["WAYBILL_OPERATOR_KEY"] = server.OperatorKey,
    };

    [Fact]
    public async Task RunAsync_Help_ListsCommandsAndExitsZero()
    {
        var run = await RunAsync(null, "--help");

        Assert.Equal(0, run.ExitCode);
        foreach (var command in new[] { "token", "quota", "delivery", "account", "order", "ops" })
            Assert.Contains(command, run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("quota", "get")]
    [InlineData("ops", "credit")]
    [InlineData("order", "add")]
    public async Task RunAsync_SubcommandHelp_DescribesOptionsAndExitsZero(string group, string command)
    {
        var run = await RunAsync(null, group, command, "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Contains("--json", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_QuotaGetOnDemoAccount_PrintsTheBalance()
    {
        var run = await RunAsync(DemoEnvironment(), "quota", "get", "--delivery", "YTO", "--biz", "xyz");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("quota_num", run.Output, StringComparison.Ordinal);
        Assert.Contains("210", run.Output, StringComparison.Ordinal);
        Assert.Equal("", run.Error);
    }

    [Fact]
    public async Task RunAsync_QuotaGetWithJson_PrintsTheWireAnswer()
    {
        var run = await RunAsync(DemoEnvironment(), "quota", "get", "--delivery", "YTO", "--biz", "xyz", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!.AsObject();
        Assert.Equal(210, json["quota_num"]!.GetValue<int>());
        Assert.Single(json);
    }

    [Fact]
    public async Task RunAsync_QuotaGetOnUnboundAccount_PrintsErrcodeErrmsgRidAndExitsOne()
    {
        var run = await RunAsync(DemoEnvironment(), "quota", "get", "--delivery", "YTO", "--biz", "not-mine");

        Assert.Equal(WaybillCli.ApiError, run.ExitCode);
        Assert.Contains($"errcode {ErrorCodes.BizIdNotBound}", run.Error, StringComparison.Ordinal);
        Assert.Contains("bizid not bind", run.Error, StringComparison.Ordinal);
        Assert.Matches("rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}", run.Error);
    }

    [Fact]
    public async Task RunAsync_ErrorWithJson_PrintsTheEnvelopeAsJson()
    {
        var run = await RunAsync(DemoEnvironment(), "quota", "get", "--delivery", "NOPE", "--biz", "xyz", "--json");

        Assert.Equal(WaybillCli.ApiError, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.Equal(ErrorCodes.DeliveryIdNotExist, json["errcode"]!.GetValue<int>());
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$", json["rid"]!.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_MissingRequiredOption_NamesItAndExitsTwo()
    {
        var run = await RunAsync(DemoEnvironment(), "quota", "get", "--delivery", "YTO");

        Assert.Equal(WaybillCli.UsageError, run.ExitCode);
        Assert.Contains("--biz", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ServerUnreachable_PrintsNetworkErrorAndExitsOne()
    {
        var environment = DemoEnvironment();
        environment["WAYBILL_SERVER"] = "http://127.0.0.1:1/";

        var run = await RunAsync(environment, "delivery", "list");

        Assert.Equal(WaybillCli.ApiError, run.ExitCode);
        Assert.Contains("errcode -1: network error", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_NoAppIdAnywhere_SaysWhereToPutItAndExitsTwo()
    {
        var run = await RunAsync(new Dictionary<string, string> { ["WAYBILL_SERVER"] = server.BaseAddress.ToString() },
            "delivery", "list");

        Assert.Equal(WaybillCli.UsageError, run.ExitCode);
        Assert.Contains("WAYBILL_APPID", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_SettingsInProfileFile_AreUsed()
    {
        var profile = Path.Combine(_home, ".config", "waybill", "profile.json");
        Directory.CreateDirectory(Path.GetDirectoryName(profile)!);
        await File.WriteAllTextAsync(profile, new JsonObject
        {
            ["server"] = server.BaseAddress.ToString(),
            ["appid"] = server.DemoAppId,
            ["secret"] = server.DemoSecret,
        }.ToJsonString(), Ct);

        var run = await RunAsync(null, "delivery", "list", "--json");

        Assert.Equal(0, run.ExitCode);
        var json = JsonNode.Parse(run.Output)!;
        Assert.Contains(json["data"]!.AsArray(), d => d!["delivery_id"]!.GetValue<string>() == "YTO");
    }

    [Fact]
    public async Task RunAsync_ProfileSave_WritesSettingsThatLaterCommandsUse()
    {
        var saved = await RunAsync(null, "profile", "save", "--server", server.BaseAddress.ToString(), "--appid", server.DemoAppId,
            "--secret", server.DemoSecret, "--json");
        var quota = await RunAsync(null, "quota", "get", "--delivery", "YTO", "--biz", "xyz", "--json");
        var shown = await RunAsync(null, "profile", "show");

        Assert.Equal(0, saved.ExitCode);
        Assert.True(File.Exists(Path.Combine(_home, ".config", "waybill", "profile.json")));
        Assert.DoesNotContain(server.DemoSecret, saved.Output + shown.Output, StringComparison.Ordinal);
        Assert.Equal(210, JsonNode.Parse(quota.Output)!["quota_num"]!.GetValue<int>());
        Assert.Contains(server.DemoAppId, shown.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_OptionOverridesEnvironment_UsesTheOption()
    {
        var environment = DemoEnvironment();
        environment["WAYBILL_SECRET"] = new string('0', 32);

        var wrong = await RunAsync(environment, "token");
        var right = await RunAsync(environment, "token", "--secret", server.DemoSecret, "--json");

        Assert.Equal(WaybillCli.ApiError, wrong.ExitCode);
        Assert.Equal(0, right.ExitCode);
        Assert.False(string.IsNullOrEmpty(JsonNode.Parse(right.Output)!["access_token"]!.GetValue<string>()));
    }

    [Fact]
    public async Task RunAsync_OpsFlow_CreatesAppAccountCreditBindingAndLedger()
    {
        var environment = DemoEnvironment();
        var created = await RunAsync(environment, "ops", "app", "create", "--name", "cli-test", "--json");
        Assert.Equal(0, created.ExitCode);
        var app = JsonNode.Parse(created.Output)!;
        var appEnvironment = new Dictionary<string, string>(environment)
        {
            ["WAYBILL_APPID"] = app["appid"]!.GetValue<string>(),
            ["WAYBILL_SECRET"] = app["secret"]!.GetValue<string>(),
        };
        var bizId = "cli" + Guid.NewGuid().ToString("N")[..10];

        var account = await RunAsync(environment, "ops", "account", "create", "--delivery", "YTO", "--biz", bizId, "--password", "pw-cli-1");
        var credit = await RunAsync(environment, "ops", "credit", "--delivery", "YTO", "--biz", bizId, "--amount", "7", "--json");
        var bind = await RunAsync(appEnvironment, "account", "bind", "--delivery", "YTO", "--biz", bizId, "--password", "pw-cli-1");
        var quota = await RunAsync(appEnvironment, "quota", "get", "--delivery", "YTO", "--biz", bizId, "--json");
        var accounts = await RunAsync(appEnvironment, "account", "list");
        var ledger = await RunAsync(environment, "ops", "ledger", "--delivery", "YTO", "--biz", bizId, "--json");
        var apps = await RunAsync(environment, "ops", "app", "list", "--json");

        Assert.Equal(0, account.ExitCode);
        Assert.Equal(0, credit.ExitCode);
        Assert.Equal(7, JsonNode.Parse(credit.Output)!["balance"]!.GetValue<int>());
        Assert.Equal(0, bind.ExitCode);
        Assert.Equal(7, JsonNode.Parse(quota.Output)!["quota_num"]!.GetValue<int>());
        Assert.Contains(bizId, accounts.Output, StringComparison.Ordinal);
        var entry = Assert.Single(JsonNode.Parse(ledger.Output)!["items"]!.AsArray());
        Assert.Equal(7, entry!["delta"]!.GetValue<int>());
        Assert.Contains(JsonNode.Parse(apps.Output)!["items"]!.AsArray(), a => a!["appid"]!.GetValue<string>() == app["appid"]!.GetValue<string>());
    }

    [Fact]
    public async Task RunAsync_OpsWithWrongKey_PrintsTheProblemAndExitsOne()
    {
        var environment = DemoEnvironment();
        environment["WAYBILL_OPERATOR_KEY"] = "wrong";

        var run = await RunAsync(environment, "ops", "app", "list");

        Assert.Equal(WaybillCli.ApiError, run.ExitCode);
        Assert.Contains("401", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_QuotaGet_NeverPrintsTheSecretOrToken()
    {
        var environment = DemoEnvironment();
        var token = await RunAsync(environment, "token", "--json");
        var accessToken = JsonNode.Parse(token.Output)!["access_token"]!.GetValue<string>();

        var run = await RunAsync(environment, "quota", "get", "--delivery", "YTO", "--biz", "not-mine");

        Assert.DoesNotContain(server.DemoSecret, run.Output + run.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(accessToken, run.Output + run.Error, StringComparison.Ordinal);
    }
}
