using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using WaybillQuota.Bench;
using WaybillQuota.Server.Storage;

// Durable spends per second on one hot account, through the real addOrder write (OrderProcessor.PlaceOrders) on a
// real SQLite file with synchronous=FULL: the group-commit writer (MaxBatch 256) against one commit per spend
// (MaxBatch 1), side by side in the same process, rounds alternating so drift in machine load hits both alike.
var spenders = Arg("--spenders", 64);
var seconds = Arg("--seconds", 5);
var rounds = Arg("--rounds", 3);
var batch = Arg("--max-batch", 256);
var orderIds = Option("--order-ids", "time"); // see HotAccountSpends.RunAsync

Console.WriteLine($"# {spenders} concurrent spenders, {orderIds} order ids, {seconds} s per run, {rounds} rounds; {Environment.ProcessorCount} cores; " +
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
            var account = await HotAccountSpends.SeedAsync(store);
            var commitsBefore = store.Commits;
            var clock = Stopwatch.StartNew();
            var spends = await HotAccountSpends.RunAsync(store, account.Id, spenders, TimeSpan.FromSeconds(runSeconds), orderIds);
            clock.Stop();
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

string Option(string name, string fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
}

int Arg(string name, int fallback)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
}

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
