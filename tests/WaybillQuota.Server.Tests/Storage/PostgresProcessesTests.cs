using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Npgsql;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Tests.Orders;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Storage;

/// <summary>
/// Three real server processes on one PostgreSQL database, on loopback: tokens, concurrent spends of one hot account
/// spread over all three, idempotent retries on another instance, and an instance killed (SIGKILL) mid-load.
/// The spend is the operator adjustment of -1 (409 when the balance would go below zero), each with its own
/// Idempotency-Key. Counts are small and every loop is bounded, so the whole class stays within a minute or two.
/// </summary>
public sealed class PostgresProcessesTests
{
    private const string OperatorKey = "test-operator-key-for-three-instances";
    private const string Quota = "/cgi-bin/express/business/quota/get";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Cluster(string directory, string connectionString, ServerProcess[] servers) : IAsyncDisposable
    {
        public ServerProcess[] Servers { get; } = servers;
        public string ConnectionString { get; } = connectionString;

        public JsonNode Demo => JsonNode.Parse(File.ReadAllText(Path.Combine(directory, "demo-credentials.json")))!;

        public async ValueTask DisposeAsync()
        {
            foreach (var server in Servers) await server.DisposeAsync();
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }

    /// <summary>The first instance seeds the demo; the other two start at once after it, on the same database.</summary>
    private static async Task<Cluster> StartAsync()
    {
        var connectionString = await PostgresEngine.CreateDatabaseAsync(Ct);
        var directory = Directory.CreateTempSubdirectory("waybillquota-procs-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:ConnectionString"] = connectionString,
            ["Operator:Key"] = OperatorKey,
            ["Demo:Enabled"] = "true",
            ["Demo:CredentialsPath"] = Path.Combine(directory, "demo-credentials.json"),
        };
        var first = await ServerProcess.StartAsync(settings, directory, Ct);
        var others = await Task.WhenAll(ServerProcess.StartAsync(settings, directory, Ct), ServerProcess.StartAsync(settings, directory, Ct));
        return new Cluster(directory, connectionString, [first, .. others]);
    }

    private static async Task<(int Status, string Body)> SendAsync(ServerProcess server, HttpMethod method, string path, string? body = null,
        string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Http.SendAsync(request, Ct);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(Ct));
    }

    private static async Task CreateAccountAsync(ServerProcess server, string bizId, int waybills)
    {
        var created = await SendAsync(server, HttpMethod.Post, "/ops/v1/accounts",
            $$"""{"delivery_id":"YTO","biz_id":"{{bizId}}","password":"pw-{{bizId}}"}""");
        Assert.Equal(201, created.Status);
        var credit = await SendAsync(server, HttpMethod.Post, $"/ops/v1/accounts/YTO/{bizId}/credits", $$"""{"amount":{{waybills}}}""", "seed");
        Assert.Equal(200, credit.Status);
    }

    /// <summary>The account's whole ledger, read in the database: (entries, sum of deltas, balance).</summary>
    private static async Task<(long Entries, long Sum, int Balance)> LedgerAsync(string connectionString, string bizId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var cmd = new NpgsqlCommand(
            "SELECT (SELECT count(*) FROM ledger l WHERE l.account_id = a.id), (SELECT coalesce(sum(delta), 0) FROM ledger l " +
            "WHERE l.account_id = a.id), a.balance FROM accounts a WHERE a.delivery_id = 'YTO' AND a.biz_id = @biz", connection);
        cmd.Parameters.AddWithValue("biz", bizId);
        await using var reader = await cmd.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2));
    }

    [Fact]
    public async Task ThreeInstances_TokensSpendsAndRetries_HoldTheInvariantsAcrossInstances()
    {
        await using var cluster = await StartAsync();
        var (p1, p2, p3) = (cluster.Servers[0], cluster.Servers[1], cluster.Servers[2]);
        var demo = cluster.Demo;
        var tokenUrl = $"/cgi-bin/token?grant_type=client_credential&appid={demo["appid"]}&secret={demo["secret"]}";

        // A token issued by one instance is accepted by the others at once.
        var token = JsonNode.Parse(await p1.Http.GetStringAsync(tokenUrl, Ct))!["access_token"]!.GetValue<string>();
        foreach (var server in cluster.Servers)
        {
            using var r = await server.Http.PostAsync($"{Quota}?access_token={token}",
                new StringContent("""{"delivery_id":"YTO","biz_id":"xyz"}""", Encoding.UTF8, "application/json"), Ct);
            Assert.Equal("""{"quota_num":210}""", await r.Content.ReadAsStringAsync(Ct));
        }

        // Rotations on all three at once leave exactly one current token: they serialize on the app's row.
        await Task.WhenAll(Enumerable.Range(0, 9).Select(i => cluster.Servers[i % 3].Http.GetStringAsync(tokenUrl, Ct)));
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString))
        {
            await connection.OpenAsync(Ct);
            await using var current = new NpgsqlCommand("SELECT count(*) FROM tokens WHERE kind = 0 AND superseded_at IS NULL", connection);
            Assert.Equal(1L, await current.ExecuteScalarAsync(Ct));
        }

        // 64 callers spend one hot account of Q waybills through the three instances: exactly Q succeed.
        const int q = 40;
        await CreateAccountAsync(p1, "hot", q);
        var answers = new ConcurrentBag<(string Key, int Server, int Status, string Body)>();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async caller =>
        {
            for (var attempt = 0; attempt < 2; attempt++)
            {
                var key = $"spend-{caller}-{attempt}";
                var server = (caller + attempt) % 3;
                var (status, body) = await SendAsync(cluster.Servers[server], HttpMethod.Post, "/ops/v1/accounts/YTO/hot/adjustments",
                    """{"amount":-1}""", key);
                answers.Add((key, server, status, body));
            }
        }));
        Assert.Equal(q, answers.Count(a => a.Status == 200));
        Assert.Equal(128 - q, answers.Count(a => a.Status == 409));
        Assert.Equal((q + 1L, 0L, 0), await LedgerAsync(cluster.ConnectionString, "hot"));
        Assert.Equal(0, JsonNode.Parse((await SendAsync(p3, HttpMethod.Get, "/ops/v1/accounts/YTO/hot")).Body)!["balance"]!.GetValue<int>());

        // The same Idempotency-Key retried on another instance answers the same and spends nothing more.
        foreach (var (key, server, _, body) in answers.Where(a => a.Status == 200).Take(12))
        {
            var retry = await SendAsync(cluster.Servers[(server + 1) % 3], HttpMethod.Post, "/ops/v1/accounts/YTO/hot/adjustments",
                """{"amount":-1}""", key);
            Assert.Equal((200, body), retry);
        }
        Assert.Equal((q + 1L, 0L, 0), await LedgerAsync(cluster.ConnectionString, "hot"));

        // addOrder: 64 callers order from the demo's account (210 waybills) through the three instances: exactly 210
        // orders get a waybill, the rest answer 9300523, and an identical retry on another instance returns the same waybill.
        var orders = new ConcurrentBag<(string OrderId, int Server, string Body)>();
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async caller =>
        {
            for (var i = 0; i < 4; i++)
            {
                var orderId = $"order-{caller}-{i}";
                var server = (caller + i) % 3;
                using var r = await cluster.Servers[server].Http.PostAsync($"{OrderApi.AddPath}?access_token={token}",
                    new StringContent(OrderWire.Example(orderId).ToJsonString(), Encoding.UTF8, "application/json"), Ct);
                orders.Add((orderId, server, await r.Content.ReadAsStringAsync(Ct)));
            }
        }));
        var placed = orders.Where(o => JsonNode.Parse(o.Body)!["waybill_id"] is not null).ToList();
        Assert.Equal(210, placed.Count);
        Assert.All(orders.Except(placed), o => Assert.Equal(9300523, JsonNode.Parse(o.Body)!["errcode"]!.GetValue<int>()));
        Assert.Equal(210, placed.Select(o => JsonNode.Parse(o.Body)!["waybill_id"]!.GetValue<string>()).Distinct().Count());
        Assert.Equal((211L, 0L, 0), await LedgerAsync(cluster.ConnectionString, "xyz"));
        foreach (var (orderId, server, body) in placed.Take(12))
        {
            using var r = await cluster.Servers[(server + 1) % 3].Http.PostAsync($"{OrderApi.AddPath}?access_token={token}",
                new StringContent(OrderWire.Example(orderId).ToJsonString(), Encoding.UTF8, "application/json"), Ct);
            Assert.Equal(JsonNode.Parse(body)!["waybill_id"]!.GetValue<string>(),
                JsonNode.Parse(await r.Content.ReadAsStringAsync(Ct))!["waybill_id"]!.GetValue<string>());
        }
        Assert.Equal((211L, 0L, 0), await LedgerAsync(cluster.ConnectionString, "xyz"));
        _ = p2;
    }

    [Fact]
    public async Task ThreeInstances_OneKilledMidLoad_TheOthersGoOnAndNothingIsLostOrSpentTwice()
    {
        await using var cluster = await StartAsync();
        const int q = 120;
        const int callers = 48, perCaller = 4; // 192 spends asked for, more than the balance
        await CreateAccountAsync(cluster.Servers[0], "hot", q);
        var victim = cluster.Servers[2];
        var done = 0;
        var acknowledged = new ConcurrentDictionary<string, string>();
        var refused = 0;

        var killer = Task.Run(async () =>
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (Volatile.Read(ref done) < 50 && DateTime.UtcNow < deadline) await Task.Delay(5, Ct);
            victim.Kill();
        }, Ct);

        await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
        {
            for (var i = 0; i < perCaller; i++)
            {
                var key = $"load-{caller}-{i}";
                // A caller whose instance dies retries the same key on the next one until it gets a definitive answer:
                // the key makes the retry safe whether or not the dead instance had committed it.
                for (var tries = 0; ; tries++)
                {
                    Assert.True(tries < 12, $"No instance gave {key} a definitive answer");
                    var server = cluster.Servers[(caller + i + tries) % 3];
                    try
                    {
                        var (status, body) = await SendAsync(server, HttpMethod.Post, "/ops/v1/accounts/YTO/hot/adjustments",
                            """{"amount":-1}""", key);
                        if (status == 200) Assert.True(acknowledged.TryAdd(key, body));
                        else if (status == 409) Interlocked.Increment(ref refused);
                        else Assert.Fail($"{key}: HTTP {status} {body}");
                        break;
                    }
                    catch (HttpRequestException) when (server == victim)
                    {
                    }
                    catch (TaskCanceledException) when (server == victim && !Ct.IsCancellationRequested)
                    {
                    }
                }
                Interlocked.Increment(ref done);
            }
        }));
        await killer;

        Assert.True(victim.HasExited);
        Assert.Equal(q, acknowledged.Count);
        Assert.Equal(callers * perCaller - q, refused);
        // Every acknowledged spend is in the ledger exactly once, and the ledger and the balance agree.
        Assert.Equal((q + 1L, 0L, 0), await LedgerAsync(cluster.ConnectionString, "hot"));
        await using var connection = new NpgsqlConnection(cluster.ConnectionString);
        await connection.OpenAsync(Ct);
        await using var refs = new NpgsqlCommand("SELECT reference FROM ledger WHERE kind = 'adjust'", connection);
        var references = new HashSet<string>();
        await using (var reader = await refs.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct)) references.Add(reader.GetString(0));
        }
        Assert.True(references.SetEquals(acknowledged.Keys.Select(k => $"idem:{k}")));
        foreach (var body in acknowledged.Values) Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("balance").GetInt32() >= 0);
    }
}
