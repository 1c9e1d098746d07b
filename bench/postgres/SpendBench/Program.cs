// Durable spends per second on one hot PostgreSQL account, through the real addOrder write (OrderProcessor.PlaceOrders)
// and the store's group-commit writer: batched (MaxBatch = 256) against one transaction per spend (MaxBatch = 1), in
// the same run, on fresh databases.
// Usage: SpendBench <admin connection string> [seconds=5] [concurrency=256] [order ids: time|streams]
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using WaybillQuota.Bench;
using WaybillQuota.Server.Storage;

var admin = args.Length > 0 ? args[0] : throw new ArgumentException("Usage: SpendBench <admin connection string> [seconds] [concurrency]");
var seconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 256;
var orderIds = args.Length > 3 ? args[3] : "time";

var batched = await RunAsync(admin, maxBatch: 256, seconds, concurrency, orderIds);
var single = await RunAsync(admin, maxBatch: 1, seconds, concurrency, orderIds);
Console.WriteLine(FormattableString.Invariant($"ratio batched/single: {batched / single:F1}x"));
return 0;

static async Task<double> RunAsync(string admin, int maxBatch, int seconds, int concurrency, string orderIds)
{
    var database = $"bench_{Guid.NewGuid():N}";
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
        await create.ExecuteNonQueryAsync();
    }
    var options = new StoreOptions
    {
        Provider = StorageProvider.Postgres,
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = database, Pooling = true }.ConnectionString,
        MaxBatch = maxBatch,
    };
    await using var store = new PostgresWaybillStore(options, NullLogger<PostgresWaybillStore>.Instance);
    await store.InitializeAsync(CancellationToken.None);
    var account = await HotAccountSpends.SeedAsync(store);

    var stop = Stopwatch.StartNew();
    var commitsBefore = store.Commits;
    var spent = await HotAccountSpends.RunAsync(store, account.Id, concurrency, TimeSpan.FromSeconds(seconds), orderIds);
    var elapsed = stop.Elapsed.TotalSeconds;
    var commits = store.Commits - commitsBefore;

    // The invariant, checked in the database after the run: every acknowledged spend is one ledger row.
    await using (var connection = new NpgsqlConnection(options.ConnectionString))
    {
        await connection.OpenAsync();
        await using var check = new NpgsqlCommand(
            "SELECT a.balance, (SELECT sum(delta) FROM ledger WHERE account_id = a.id), (SELECT count(*) FROM ledger WHERE account_id = a.id) " +
            "FROM accounts a WHERE a.id = @id", connection);
        check.Parameters.AddWithValue("id", account.Id);
        await using var reader = await check.ExecuteReaderAsync();
        await reader.ReadAsync();
        if (reader.GetInt32(0) != reader.GetInt64(1) || reader.GetInt64(2) != spent + 1)
            throw new InvalidOperationException("The ledger and the balance disagree after the run.");
    }

    var rate = spent / elapsed;
    Console.WriteLine(FormattableString.Invariant(
        $"MaxBatch={maxBatch,-4} concurrency={concurrency} {orderIds} order ids: {spent} spends in {elapsed:F1} s: {rate:F0} spends/s, {commits} commits, {spent / (double)Math.Max(commits, 1):F1} spends/commit"));
    NpgsqlConnection.ClearAllPools();
    await using (var connection = new NpgsqlConnection(admin))
    {
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE {database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
    return rate;
}
