using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Demo;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Tests.Infrastructure;

namespace WaybillQuota.Server.Tests.Orders;

/// <summary>
/// The server as a real process on a real database, killed with SIGKILL in the middle of an order load: what it
/// acknowledged must be there after a restart, and retrying every order_id must never spend a second waybill.
/// </summary>
public abstract class OrderCrashTests : EngineTests
{
    private const int Orders = 2000;
    private const int Callers = 16;
    private const int KillAfter = 500;

    [Fact]
    public async Task AddOrder_ServerKilledMidLoad_EveryAcknowledgedOrderSurvivesAndRetriesNeverSpendTwice()
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromMinutes(4));
        var ct = timeout.Token;
        var dir = Directory.CreateTempSubdirectory("waybillquota-crash-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(await Engine.CreateDatabaseAsync(dir, ct))
            {
                ["Demo:CredentialsPath"] = Path.Combine(dir, "demo-credentials.json"),
            };

            var acked = new ConcurrentDictionary<string, string>();
            DemoCredentials demo;
            int initial;
            await using (var server = await ServerProcess.StartAsync(settings, dir, ct))
            {
                demo = JsonSerializer.Deserialize(await File.ReadAllTextAsync(Path.Combine(dir, "demo-credentials.json"), ct),
                    DemoJsonContext.Default.DemoCredentials)!;
                var credit = await SendAsync(server, HttpMethod.Post, "/ops/v1/accounts/YTO/xyz/credits", $$"""{"amount":{{Orders}}}""",
                    demo.OperatorKey, "crash-credit", ct);
                initial = credit["balance"]!.GetValue<int>();
                var token = await TokenAsync(server, demo, ct);

                var queue = new ConcurrentQueue<int>(Enumerable.Range(0, Orders));
                await Task.WhenAll(Enumerable.Range(0, Callers).Select(_ => Task.Run(async () =>
                {
                    while (!server.HasExited && queue.TryDequeue(out var i))
                    {
                        JsonNode answer;
                        try
                        {
                            answer = await SendAsync(server, HttpMethod.Post, $"{OrderApi.AddPath}?access_token={token}",
                                OrderWire.Example(Id(i)).ToJsonString(), null, null, ct);
                        }
                        catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException && !ct.IsCancellationRequested)
                        {
                            return; // killed: this answer never arrived, so it was not acknowledged
                        }
                        acked[Id(i)] = answer["waybill_id"]!.GetValue<string>();
                        if (acked.Count == KillAfter) server.Kill();
                    }
                }, ct)));
                Assert.True(server.HasExited);
            }
            Assert.InRange(acked.Count, KillAfter, Orders - 1);

            await using (var server = await ServerProcess.StartAsync(settings, dir, ct))
            {
                var token = await TokenAsync(server, demo, ct);

                // Every acknowledged order is there, with its waybill; some unacknowledged ones may be too.
                var existing = new Dictionary<string, string>();
                foreach (var chunk in Enumerable.Range(0, Orders).Chunk(OrderRules.MaxBatchItems))
                {
                    var list = new JsonArray([.. chunk.Select(i => (JsonNode)new JsonObject { ["order_id"] = Id(i), ["delivery_id"] = "YTO" })]);
                    var batch = await SendAsync(server, HttpMethod.Post, $"{OrderApi.BatchGetPath}?access_token={token}",
                        new JsonObject { ["order_list"] = list }.ToJsonString(), null, null, ct);
                    foreach (var item in batch["order_list"]!.AsArray())
                    {
                        if (item!["errcode"]!.GetValue<int>() == 0)
                            existing[item["order_id"]!.GetValue<string>()] = item["waybill_id"]!.GetValue<string>();
                        else
                            Assert.Equal(ErrorCodes.DeliveryLogicFail, item["errcode"]!.GetValue<int>());
                    }
                }
                foreach (var (id, waybill) in acked) Assert.Equal(waybill, existing.GetValueOrDefault(id));

                Assert.Equal(initial - existing.Count, await QuotaAsync(server, token, ct));
                await AssertLedgerAsync(server, demo, initial - existing.Count, existing.Count, ct);

                // Retrying every order_id, acknowledged or not, spends exactly the waybills of the orders not yet there.
                foreach (var chunk in Enumerable.Range(0, Orders).Chunk(Callers))
                {
                    var answers = await Task.WhenAll(chunk.Select(i => SendAsync(server, HttpMethod.Post,
                        $"{OrderApi.AddPath}?access_token={token}", OrderWire.Example(Id(i)).ToJsonString(), null, null, ct)));
                    foreach (var (i, answer) in chunk.Zip(answers))
                    {
                        var waybill = answer["waybill_id"]?.GetValue<string>();
                        Assert.True(waybill is not null, answer.ToJsonString());
                        if (existing.TryGetValue(Id(i), out var before)) Assert.Equal(before, waybill);
                    }
                }
                Assert.Equal(initial - Orders, await QuotaAsync(server, token, ct));
                await AssertLedgerAsync(server, demo, initial - Orders, Orders, ct);
            }
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
    }

    private static string Id(int i) => $"crash-{i:D5}";

    private static async Task<JsonNode> SendAsync(ServerProcess server, HttpMethod method, string path, string? body, string? operatorKey,
        string? idempotencyKey, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (operatorKey is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await server.Http.SendAsync(request, ct);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct))!;
    }

    private static async Task<string> TokenAsync(ServerProcess server, DemoCredentials demo, CancellationToken ct) =>
        (await SendAsync(server, HttpMethod.Get, $"/cgi-bin/token?grant_type=client_credential&appid={demo.Appid}&secret={demo.Secret}",
            null, null, null, ct))["access_token"]!.GetValue<string>();

    private static async Task<int> QuotaAsync(ServerProcess server, string token, CancellationToken ct) =>
        (await SendAsync(server, HttpMethod.Post, $"/cgi-bin/express/business/quota/get?access_token={token}",
            """{"delivery_id":"YTO","biz_id":"xyz"}""", null, null, ct))["quota_num"]!.GetValue<int>();

    /// <summary>Through the operator API: entries chain and sum to the balance, one spend per order, each reference once.</summary>
    private static async Task AssertLedgerAsync(ServerProcess server, DemoCredentials demo, int balance, int orders, CancellationToken ct)
    {
        var sum = 0;
        var consumes = 0;
        var references = new HashSet<string>();
        long? after = 0;
        while (after is { } seq)
        {
            var page = await SendAsync(server, HttpMethod.Get, $"/ops/v1/accounts/YTO/xyz/ledger?after_seq={seq}&limit=1000", null,
                demo.OperatorKey, null, ct);
            foreach (var entry in page["items"]!.AsArray())
            {
                sum += entry!["delta"]!.GetValue<int>();
                Assert.Equal(sum, entry["balance_after"]!.GetValue<int>());
                Assert.True(references.Add(entry["reference"]!.GetValue<string>()));
                if (entry["kind"]!.GetValue<string>() == "consume") consumes++;
            }
            after = page["next_after_seq"]?.GetValue<long>();
        }
        Assert.Equal(balance, sum);
        Assert.Equal(orders, consumes);
    }
}

public sealed class OrderCrashTests_Sqlite : OrderCrashTests
{
    protected override IStoreEngine Engine => SqliteEngine.Instance;
}

public sealed class OrderCrashTests_Postgres : OrderCrashTests
{
    protected override IStoreEngine Engine => PostgresEngine.Instance;
}
