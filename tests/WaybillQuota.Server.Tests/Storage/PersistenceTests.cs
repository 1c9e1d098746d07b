using System.Text;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tests.Infrastructure;
using WaybillQuota.Server.Tests.Orders;

namespace WaybillQuota.Server.Tests.Storage;

public abstract class PersistenceTests : EngineTests
{
    [Fact]
    public async Task Restart_OnTheSameDatabase_KeepsAppsTokensAccountsBindingsAndLedger()
    {
        var server = await StartAsync();
        var demo = server.Demo;
        var token = await server.DemoTokenAsync();
        await server.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":7}""", "before-restart");
        var app = await server.OperatorAsync(HttpMethod.Post, "/ops/v1/apps", """{"name":"second"}""");

        await using var restarted = await server.RestartAsync(Ct);

        // Same demo, not seeded twice; the token issued before the restart still works.
        Assert.Equal(demo, restarted.Demo);
        Assert.Equal("""{"quota_num":217}""", (await restarted.PostAsync(
            $"/cgi-bin/express/business/quota/get?access_token={token}", """{"delivery_id":"YTO","biz_id":"xyz"}""")).Body);
        var apps = (await restarted.OperatorAsync(HttpMethod.Get, "/ops/v1/apps")).Json["items"]!.AsArray();
        Assert.Equal(2, apps.Count);
        Assert.Contains(apps, a => a!["appid"]!.GetValue<string>() == app.Json["appid"]!.GetValue<string>());
        var ledger = (await restarted.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz/ledger")).Json["items"]!.AsArray();
        Assert.Equal([210, 7], ledger.Select(e => e!["delta"]!.GetValue<int>()));
        // The idempotency key survives too: the retry after the restart does not credit again.
        var retry = await restarted.OperatorAsync(HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", """{"amount":7}""", "before-restart");
        Assert.Equal(217, retry.Json["balance"]!.GetValue<int>());
        Assert.Equal(217, (await restarted.OperatorAsync(HttpMethod.Get, "/ops/v1/accounts/YTO/xyz")).Json["balance"]!.GetValue<int>());
    }

    [Fact]
    public async Task Upgrade_FromSchemaV3_KeepsOrdersReadable_AndNewWaybillsSkipNumbersTakenBefore()
    {
        var server = await StartAsync();
        var token = await server.DemoTokenAsync();
        var old = (await server.AddAsync(token, OrderWire.Example("before-upgrade"))).Json["waybill_id"]!.GetValue<string>();
        // Back to schema 3: the order's data under its old column name, and no waybill counter, so the first number
        // the upgraded database issues is the one this order already holds.
        await server.Store.WriteAsync(tx =>
        {
            var sql = (SqlStoreTransaction)tx;
            sql.Command("ALTER TABLE orders RENAME COLUMN label TO request").ExecuteNonQuery();
            sql.Command(sql.Dialect.SetBased ? "DROP SEQUENCE waybill_numbers" : "DROP TABLE waybill_numbers").ExecuteNonQuery();
            sql.Command("DELETE FROM schema_version WHERE version = 4").ExecuteNonQuery();
            return 0;
        }, Ct);

        await using var upgraded = await server.RestartAsync(Ct);

        var read = await upgraded.GetOrderAsync(token, "before-upgrade");
        Assert.Equal(old, read.Json["waybill_id"]!.GetValue<string>());
        Assert.Contains("王小蒙", Encoding.UTF8.GetString(Convert.FromBase64String(read.Json["print_html"]!.GetValue<string>())),
            StringComparison.Ordinal);
        var added = await upgraded.AddAsync(token, OrderWire.Example("after-upgrade"));
        Assert.Equal(0, added.ErrCode);
        Assert.NotEqual(old, added.Json["waybill_id"]!.GetValue<string>());
        Assert.Equal(208, await upgraded.AssertLedgerInvariantAsync());
    }

    [Fact]
    public async Task Restart_StableToken_IsHandedOutAgainUnchanged()
    {
        var server = await StartAsync();
        var body = $$"""{"grant_type":"client_credential","appid":"{{server.Demo.Appid}}","secret":"{{server.Demo.Secret}}"}""";
        var before = (await server.PostAsync("/cgi-bin/stable_token", body)).Json["access_token"]!.GetValue<string>();

        await using var restarted = await server.RestartAsync(Ct);

        Assert.Equal(before, (await restarted.PostAsync("/cgi-bin/stable_token", body)).Json["access_token"]!.GetValue<string>());
    }

    [Fact]
    public async Task DemoOff_OnAnEmptyDatabase_CreatesNothingAndTheOperatorApiNeedsTheConfiguredKey()
    {
        await using var server = await StartAsync(o =>
        {
            o.Demo = false;
            o.Settings["Operator:Key"] = "production-operator-key-of-at-least-some-length";
        });

        Assert.False(File.Exists(Path.Combine(server.DataDirectory, "demo-credentials.json")));
        var headers = new Dictionary<string, string> { ["Authorization"] = "Bearer production-operator-key-of-at-least-some-length" };
        var apps = await server.SendAsync(HttpMethod.Get, "/ops/v1/apps", headers: headers);
        Assert.Equal(200, apps.Status);
        Assert.Empty(apps.Json["items"]!.AsArray());
        Assert.Empty((await server.SendAsync(HttpMethod.Get, "/ops/v1/accounts", headers: headers)).Json["items"]!.AsArray());
        var dump = await Engine.DumpAsync(server.Storage, Ct);
        Assert.DoesNotContain("production-operator-key-of-at-least-some-length", dump, StringComparison.Ordinal);
    }
}

public sealed class PersistenceTests_Sqlite : PersistenceTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;

    [Fact]
    public async Task FirstStart_CreatesAWalDatabaseWithFullSync()
    {
        await using var server = await StartAsync();

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={server.Storage["Storage:SqlitePath"]}");
        await connection.OpenAsync(Ct);
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await cmd.ExecuteScalarAsync(Ct));
        Assert.True(File.Exists(Path.Combine(server.DataDirectory, "demo-credentials.json")));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite,
                File.GetUnixFileMode(Path.Combine(server.DataDirectory, "demo-credentials.json")));
        }
    }
}

public sealed class PersistenceTests_Postgres : PersistenceTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
