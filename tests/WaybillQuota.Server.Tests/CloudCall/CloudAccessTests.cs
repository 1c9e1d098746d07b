using System.Text.Json.Nodes;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.CloudCall;

/// <summary>Who may call: the environment's credential, and the function's config.json with its cache window.</summary>
public abstract class CloudAccessTests : EngineTests
{
    private static string QuotaRequest => Spec.Text("cloud.getQuota.request.json");

    [Fact]
    public async Task UnknownEnvironmentAndWrongCredential_GetTheSameAnswer()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");
        var wrong = function.Credential[..^1] + (function.Credential[^1] == 'A' ? 'B' : 'A');

        var wrongCredential = await server.CloudAsync(function.EnvId, function.Name, wrong, "getQuota", QuotaRequest);
        var unknownEnv = await server.CloudAsync("no-such-env", function.Name, wrong, "getQuota", QuotaRequest);
        var unknownEnvRightCredential = await server.CloudAsync("no-such-env", function.Name, function.Credential, "getQuota", QuotaRequest);

        foreach (var r in new[] { wrongCredential, unknownEnv, unknownEnvRightCredential })
        {
            CloudCallHelpers.AssertCloudError(r, "getQuota", ErrorCodes.InvalidCredential,
                "invalid credential, access_token is invalid or not latest");
        }
        // Identical but for the request id: status, content type, headers' shape and body.
        Assert.Equal(CloudCallHelpers.WithoutRid(wrongCredential.Body), CloudCallHelpers.WithoutRid(unknownEnv.Body));
        Assert.Equal(wrongCredential.ContentType, unknownEnv.ContentType);
        Assert.Equal(wrongCredential.Headers.Select(h => h.Key).Order(), unknownEnv.Headers.Select(h => h.Key).Order());
    }

    [Fact]
    public async Task CredentialOfAnotherEnvironment_IsRefused()
    {
        await using var server = await StartAsync();
        var first = await server.FunctionAsync("""["logistics.getQuota"]""", envId: "env-one");
        var second = await server.FunctionAsync("""["logistics.getQuota"]""", envId: "env-two");

        var r = await server.CloudAsync(first.EnvId, first.Name, second.Credential, "getQuota", QuotaRequest);

        Assert.Equal(ErrorCodes.InvalidCredential, r.CloudErrCode());
        Assert.Equal(210, (await server.CloudAsync(second, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(true, false, false)]
    [InlineData(false, true, false)]
    [InlineData(false, false, true)]
    public async Task MissingEnvFunctionOrCredential_Answers41001(bool noEnv, bool noFunction, bool noCredential)
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");
        var headers = new Dictionary<string, string>();
        if (!noEnv) headers["X-Cloud-Env"] = function.EnvId;
        if (!noFunction) headers["X-Cloud-Function"] = function.Name;
        if (!noCredential) headers["Authorization"] = $"Bearer {function.Credential}";

        var r = await server.SendAsync(HttpMethod.Post, "/tcb/openapi/logistics/getQuota", QuotaRequest, headers);

        CloudCallHelpers.AssertCloudError(r, "getQuota", ErrorCodes.AccessTokenMissing, "access_token missing");
    }

    [Fact]
    public async Task RotatedCredential_OldOneStopsAtOnce_NewOneWorks()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");
        Assert.Equal(210, (await server.CloudAsync(function, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());

        var rotated = await server.OperatorAsync(HttpMethod.Post, $"/ops/v1/cloud/envs/{function.EnvId}/credential");
        Assert.Equal(200, rotated.Status);
        var fresh = rotated.Json["credential"]!.GetValue<string>();

        Assert.Equal(ErrorCodes.InvalidCredential, (await server.CloudAsync(function, "getQuota", QuotaRequest)).CloudErrCode());
        Assert.Equal(210, (await server.CloudAsync(function with { Credential = fresh }, "getQuota", QuotaRequest))
            .Json["quotaNum"]!.GetValue<int>());
    }

    [Fact]
    public async Task EnvironmentCredential_IsShownOnceAndStoredOnlyAsAHash()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");

        var list = await server.OperatorAsync(HttpMethod.Get, "/ops/v1/cloud/envs");
        Assert.Equal(200, list.Status);
        Assert.Equal(function.EnvId, list.Json["items"]![0]!["env_id"]!.GetValue<string>());
        Assert.DoesNotContain(function.Credential, list.Body, StringComparison.Ordinal);
        var stored = await server.Store.ListCloudEnvsAsync(TestContext.Current.CancellationToken);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(function.Credential)),
            stored[0].CredentialHash);
        Assert.DoesNotContain(function.Credential, await Engine.DumpAsync(server.Storage, Ct), StringComparison.Ordinal);
        await server.CloudAsync(function, "getQuota", QuotaRequest);
        Assert.DoesNotContain(function.Credential, server.Log.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PermissionAdded_IsInForceOnlyAfterTheCacheWindow()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getAllDelivery", null), "getAllDelivery");

        var put = await server.PutFunctionAsync(function.EnvId, function.Name, """["logistics.getQuota","logistics.getAllDelivery"]""");
        Assert.Equal(200, put.Status);
        Assert.True(put.Json["changed"]!.GetValue<bool>());
        Assert.True(put.Json["function"]!["pending"]!.GetValue<bool>());
        Assert.Equal(server.Time.GetUtcNow().AddMinutes(10).ToUnixTimeSeconds(), put.Json["function"]!["effective_at"]!.GetValue<long>());
        Assert.Equal("""["logistics.getQuota"]""", put.Json["function"]!["permissions_in_force"]!.ToJsonString());

        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getAllDelivery", null), "getAllDelivery");
        server.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getAllDelivery", null), "getAllDelivery");
        // What was in force meanwhile stays in force.
        Assert.Equal(210, (await server.CloudAsync(function, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());

        server.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("openapi.logistics.getAllDelivery:ok", (await server.CloudAsync(function, "getAllDelivery", null)).CloudErrMsg());
    }

    [Fact]
    public async Task PermissionRemoved_StaysInForceUntilTheCacheWindowEnds()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");

        await server.PutFunctionAsync(function.EnvId, function.Name, "[]");
        server.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(210, (await server.CloudAsync(function, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());

        server.Time.Advance(TimeSpan.FromMinutes(1));
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getQuota", QuotaRequest), "getQuota");
    }

    [Fact]
    public async Task ChangeDuringAPendingChange_KeepsWhatIsInForceAndRestartsTheWindow()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");

        await server.PutFunctionAsync(function.EnvId, function.Name, """["logistics.getAllDelivery"]""");
        server.Time.Advance(TimeSpan.FromMinutes(5));
        await server.PutFunctionAsync(function.EnvId, function.Name, """["logistics.getAllAccount"]""");

        server.Time.Advance(TimeSpan.FromMinutes(5));
        // The first change never came into force: the second replaced it before its window ended.
        Assert.Equal(210, (await server.CloudAsync(function, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getAllDelivery", null), "getAllDelivery");

        server.Time.Advance(TimeSpan.FromMinutes(5));
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getQuota", QuotaRequest), "getQuota");
        Assert.Equal("openapi.logistics.getAllAccount:ok", (await server.CloudAsync(function, "getAllAccount", null)).CloudErrMsg());
    }

    [Fact]
    public async Task SamePermissionsAgain_ChangeNothingAndDoNotRestartTheWindow()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");

        var again = await server.PutFunctionAsync(function.EnvId, function.Name, """["logistics.getQuota","logistics.getQuota"]""");

        Assert.Equal(200, again.Status);
        Assert.False(again.Json["changed"]!.GetValue<bool>());
        Assert.False(again.Json["function"]!["pending"]!.GetValue<bool>());
        Assert.Equal(210, (await server.CloudAsync(function, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());
    }

    [Fact]
    public async Task CacheWindow_IsConfigurable()
    {
        await using var server = await StartAsync(o => o.Settings["CloudCall:PermissionCacheSeconds"] = "60");
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");

        await server.PutFunctionAsync(function.EnvId, function.Name, """["logistics.getQuota","logistics.getAllDelivery"]""");
        server.Time.Advance(TimeSpan.FromSeconds(59));
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getAllDelivery", null), "getAllDelivery");
        server.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal("openapi.logistics.getAllDelivery:ok", (await server.CloudAsync(function, "getAllDelivery", null)).CloudErrMsg());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""["logistics.getQuota"]""")]
    [InlineData("""{"permissions":{"openapi":"logistics.getQuota"}}""")]
    [InlineData("""{"permissions":{"openapi":[7]}}""")]
    [InlineData("""{"permissions":{"openapi":["logistics getQuota"]}}""")]
    public async Task InvalidConfigJson_IsRefusedWithAProblem(string body)
    {
        await using var server = await StartAsync();
        await server.RegisterEnvAsync("test-env");

        var r = await server.OperatorAsync(HttpMethod.Put, "/ops/v1/cloud/envs/test-env/functions/f", body);

        Assert.Equal(400, r.Status);
        Assert.Equal("application/problem+json", r.ContentType);
    }

    [Fact]
    public async Task OperatorRoutes_AnswerProblemsForUnknownThings()
    {
        await using var server = await StartAsync();
        await server.RegisterEnvAsync("test-env");

        Assert.Equal(409, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs",
            $$"""{"env_id":"test-env","appid":"{{server.Demo.Appid}}"}""")).Status);
        Assert.Equal(404, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs",
            """{"env_id":"other","appid":"wx0000000000000000"}""")).Status);
        Assert.Equal(400, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs",
            $$"""{"env_id":"bad env","appid":"{{server.Demo.Appid}}"}""")).Status);
        Assert.Equal(404, (await server.PutFunctionAsync("no-such-env", "f", "[]")).Status);
        Assert.Equal(404, (await server.OperatorAsync(HttpMethod.Get, "/ops/v1/cloud/envs/test-env/functions/nope")).Status);
        Assert.Equal(404, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs/no-such-env/credential")).Status);
        Assert.Equal(409, (await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs/test-env/reload")).Status);
        Assert.Equal(401, (await server.SendAsync(HttpMethod.Get, "/ops/v1/cloud/envs")).Status);
    }

    [Fact]
    public async Task FunctionView_ShowsTheConfigJsonAsRegistered()
    {
        await using var server = await StartAsync();
        var function = await server.FunctionAsync("""["logistics.getQuota"]""");

        var r = await server.OperatorAsync(HttpMethod.Get, $"/ops/v1/cloud/envs/{function.EnvId}/functions/{function.Name}");

        Assert.Equal(200, r.Status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"permissions":{"openapi":["logistics.getQuota"]}}"""), r.Json["config"]), r.Body);
        Assert.Equal("""["logistics.getQuota"]""", r.Json["permissions_in_force"]!.ToJsonString());
    }

    [Fact]
    public async Task ProjectFolder_IsLoadedAtStartAndOnReload()
    {
        // The restart stops it; disposed last, it removes the folder both used.
        await using var first = await StartAsync();
        var project = Path.Combine(first.DataDirectory, "miniprogram");
        Directory.CreateDirectory(Path.Combine(project, "cloudfunctions", "quota"));
        Directory.CreateDirectory(Path.Combine(project, "cloudfunctions", "plain"));
        var quotaConfig = Path.Combine(project, "cloudfunctions", "quota", "config.json");
        await File.WriteAllTextAsync(quotaConfig, """
            {
              // as in the documentation
              "permissions": { "openapi": ["logistics.getQuota"] },
              "triggers": []
            }
            """, Ct);
        const string credential = "project-env-credential-0123456789";
        first.Options.Settings["CloudCall:Environments:proj-env:AppId"] = first.Demo.Appid;
        first.Options.Settings["CloudCall:Environments:proj-env:Credential"] = credential;
        first.Options.Settings["CloudCall:Environments:proj-env:ProjectPath"] = project;

        await using var server = await first.RestartAsync(Ct);

        Assert.Equal("""{"quotaNum":210,"errMsg":"openapi.logistics.getQuota:ok"}""",
            (await server.CloudAsync("proj-env", "quota", credential, "getQuota", QuotaRequest)).Body);
        // A function folder without config.json has no openapi permission, as on WeChat.
        CloudCallHelpers.AssertDenied(await server.CloudAsync("proj-env", "plain", credential, "getQuota", QuotaRequest), "getQuota");

        await File.WriteAllTextAsync(Path.Combine(project, "cloudfunctions", "plain", "config.json"),
            """{"permissions":{"openapi":["logistics.getAllDelivery"]}}""", Ct);
        var reload = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/cloud/envs/proj-env/reload");
        Assert.Equal(200, reload.Status);
        var plain = reload.Json["functions"]!.AsArray().Single(f => f!["function"]!["name"]!.GetValue<string>() == "plain")!;
        Assert.True(plain["changed"]!.GetValue<bool>());
        var quota = reload.Json["functions"]!.AsArray().Single(f => f!["function"]!["name"]!.GetValue<string>() == "quota")!;
        Assert.False(quota["changed"]!.GetValue<bool>());

        CloudCallHelpers.AssertDenied(await server.CloudAsync("proj-env", "plain", credential, "getAllDelivery", null), "getAllDelivery");
        server.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("openapi.logistics.getAllDelivery:ok",
            (await server.CloudAsync("proj-env", "plain", credential, "getAllDelivery", null)).CloudErrMsg());
    }

    [Fact]
    public async Task EnvironmentsAndFunctions_SurviveARestart()
    {
        await using var first = await StartAsync();
        var function = await first.FunctionAsync("""["logistics.getQuota"]""");
        await first.PutFunctionAsync(function.EnvId, function.Name, """["logistics.getQuota","logistics.getAllDelivery"]""");

        await using var server = await first.RestartAsync(Ct);

        Assert.Equal(210, (await server.CloudAsync(function, "getQuota", QuotaRequest)).Json["quotaNum"]!.GetValue<int>());
        // The pending change is still pending after the restart: its instant is stored, not held in memory.
        CloudCallHelpers.AssertDenied(await server.CloudAsync(function, "getAllDelivery", null), "getAllDelivery");
        server.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("openapi.logistics.getAllDelivery:ok", (await server.CloudAsync(function, "getAllDelivery", null)).CloudErrMsg());
    }
}

public sealed class CloudAccessTests_Sqlite : CloudAccessTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class CloudAccessTests_Postgres : CloudAccessTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
