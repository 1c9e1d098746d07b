using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Storage;

// Durable spends per second on one hot account, through the real addOrder write closure (OrderProcessor.Place) on a
// real SQLite file with synchronous=FULL: the group-commit writer (MaxBatch 256) against one commit per spend
// (MaxBatch 1), side by side in the same process, rounds alternating so drift in machine load hits both alike.
// A benchmark framework's one-call-per-iteration loop cannot show group commit: it needs many concurrent spenders.
var spenders = Arg("--spenders", 64);
var seconds = Arg("--seconds", 5);
var rounds = Arg("--rounds", 3);
var batch = Arg("--max-batch", 256);

Console.WriteLine($"# {spenders} concurrent spenders, {seconds} s per run, {rounds} rounds; {Environment.ProcessorCount} cores; " +
    $"load average {LoadAverage()}");
// Warm-up of both modes (JIT, SQLite), not reported.
await RunAsync(batch, 1);
await RunAsync(1, 1);

Console.WriteLine("round  mode            spends/s  commits  spends/commit");
var ratios = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    var grouped = await RunAsync(batch, seconds);
    var single = await RunAsync(1, seconds);
    Print(round, $"group (max {batch})", grouped);
    Print(round, "one per spend", single);
    ratios.Add(grouped.PerSecond / single.PerSecond);
    Console.WriteLine($"{round,5}  ratio           {grouped.PerSecond / single.PerSecond,8:F1}x");
}
ratios.Sort();
Console.WriteLine($"median ratio group/one-per-spend: {ratios[ratios.Count / 2]:F1}x (load average now {LoadAverage()})");

async Task<(double PerSecond, long Spends, long Commits)> RunAsync(int maxBatch, int runSeconds)
{
    var dir = Directory.CreateTempSubdirectory("waybillquota-bench-").FullName;
    try
    {
        var store = new SqliteWaybillStore(new StoreOptions { SqlitePath = Path.Combine(dir, "bench.db"), MaxBatch = maxBatch },
            NullLogger<SqliteWaybillStore>.Instance);
        await using (store)
        {
            await store.InitializeAsync(CancellationToken.None);
            var account = await store.WriteAsync(tx =>
            {
                tx.InsertApp(new AppRecord("wx0000000000000001", "bench", new byte[32], [], long.MaxValue, null, 0, 0));
                var a = tx.InsertAccount("YTO", "hot", "", 0);
                tx.ApplyLedger(a.Id, 100_000_000, LedgerKinds.Credit, "bench:credit", 0);
                return a;
            }, CancellationToken.None);

            var request = SampleRequest();
            var digest = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(request));
            var commitsBefore = store.Commits;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(runSeconds));
            var clock = Stopwatch.StartNew();
            var counts = await Task.WhenAll(Enumerable.Range(0, spenders).Select(s => Task.Run(async () =>
            {
                long done = 0;
                while (!stop.IsCancellationRequested)
                {
                    var draft = new OrderRecord("wx0000000000000001", $"{s}-{done}", "YTO", "hot", account.Id, "", OrderStatus.Normal,
                        digest, request, 0, 0);
                    var (code, _) = await store.WriteAsync(tx => OrderProcessor.Place(tx, draft, spends: true), CancellationToken.None);
                    if (code != ErrorCodes.Ok) throw new InvalidOperationException($"spend answered {code}");
                    done++;
                }
                return done;
            })));
            clock.Stop();
            var spends = counts.Sum();
            return (spends / clock.Elapsed.TotalSeconds, spends, store.Commits - commitsBefore);
        }
    }
    finally
    {
        Directory.Delete(dir, recursive: true);
    }
}

void Print(int round, string mode, (double PerSecond, long Spends, long Commits) r) =>
    Console.WriteLine($"{round,5}  {mode,-14} {r.PerSecond,9:F0}  {r.Commits,7}  {(double)r.Spends / Math.Max(1, r.Commits),13:F1}");

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

// An order the size of the documentation's example, so each spend writes what a real one does.
static string SampleRequest() => JsonSerializer.Serialize(new AddOrderRequest
{
    AddSource = 0,
    OrderId = "01234567890123456789",
    Openid = "oABC123456",
    DeliveryId = "YTO",
    BizId = "hot",
    CustomRemark = "易碎物品",
    Sender = new OrderContact
    {
        Name = "张三", Tel = "020-88888888", Mobile = "18666666666", Company = "公司名", PostCode = "123456", Country = "中国",
        Province = "广东省", City = "广州市", Area = "海珠区", Address = "XX路XX号XX大厦XX栋XX",
    },
    Receiver = new OrderContact
    {
        Name = "王小蒙", Tel = "020-77777777", Mobile = "18610000000", Company = "公司名", PostCode = "654321", Country = "中国",
        Province = "广东省", City = "广州市", Area = "天河区", Address = "XX路XX号XX大厦XX栋XX",
    },
    Cargo = new OrderCargo
    {
        Count = 2, Weight = 5.5, SpaceX = 30.5, SpaceY = 20, SpaceZ = 20,
        DetailList = [new CargoDetail { Name = "一千零一夜钻石包", Count = 1 }, new CargoDetail { Name = "爱马仕铂金包", Count = 1 }],
    },
    Shop = new OrderShop
    {
        WxaPath = "/index/index?from=waybill&id=01234567890123456789", ImgUrl = "https://mmbiz.qpic.cn/mmbiz_png/example/0?wx_fmt=png",
        GoodsName = "一千零一夜钻石包&爱马仕铂金包", GoodsCount = 2,
    },
    Insured = new OrderInsured { UseInsured = 1, InsuredValue = 10000 },
    Service = new OrderService { ServiceType = 0, ServiceName = "普通快递" },
}, WeChatJsonContext.Wire.AddOrderRequest);
