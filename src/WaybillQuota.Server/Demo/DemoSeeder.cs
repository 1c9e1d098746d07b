using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Operator;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Demo;

/// <summary>Configuration section <c>Demo</c>.</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Seed a demo on an empty database and print how to use it. Default true; turn off in production.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where the demo's credentials are kept (owner-readable only) so a restart can print them again. Default <c>./data/demo-credentials.json</c>.</summary>
    public string CredentialsPath { get; set; } = Path.Combine("data", "demo-credentials.json");

    /// <summary>Waybills credited to the demo account. Default 210, the documentation's example.</summary>
    public int Waybills { get; set; } = 210;
}

/// <summary>The demo's credentials, the only ones ever written in plaintext, and only with the demo on.</summary>
public sealed record DemoCredentials(string Appid, string Secret, string OperatorKey, string DeliveryId, string BizId, string AccountPassword);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DemoCredentials))]
internal sealed partial class DemoJsonContext : JsonSerializerContext;

/// <summary>
/// On the first start on an empty database: one app, the documentation's carrier account YTO/xyz with 210 waybills
/// bound to it, and an operator key. Then (and on every later start) prints the credentials and two curl commands.
/// </summary>
public sealed class DemoSeeder(IWaybillStore store, OperatorKeys operatorKeys, IOptions<DemoOptions> options,
    IOptions<OperatorOptions> operatorOptions, TimeProvider time, ILogger<DemoSeeder> logger)
{
    public const string AppName = "WaybillQuota demo";
    private const string SeedSettingKey = "demo.seeded_by";

    private static async Task<DemoCredentials?> ReadCredentialsAsync(string path, CancellationToken cancellationToken) =>
        File.Exists(path)
            ? JsonSerializer.Deserialize(await File.ReadAllTextAsync(path, cancellationToken), DemoJsonContext.Default.DemoCredentials)
            : null;

    public async Task<DemoCredentials?> SeedAsync(CancellationToken cancellationToken)
    {
        var demo = options.Value;
        if (!demo.Enabled) return null;

        var path = Path.GetFullPath(demo.CredentialsPath);
        if ((await store.ListAppsAsync(cancellationToken)).Count > 0)
        {
            return await ReadCredentialsAsync(path, cancellationToken);
        }

        var secret = Secrets.NewAppSecret();
        var operatorKey = operatorOptions.Value.Key ?? Secrets.NewToken();
        var credentials = new DemoCredentials(Secrets.NewAppId(), secret, operatorKey, "YTO", "xyz", Secrets.NewAppSecret()[..12]);
        var passwordHash = Secrets.HashPassword(credentials.AccountPassword);
        var now = time.NowMs();
        var app = new AppRecord(credentials.Appid, AppName, Secrets.Hash(secret), [], OperatorApi.DefaultDailyBudget, null, now, now);
        var keyHash = Secrets.Hash(operatorKey);

        // Instances that start at once on one empty database (PostgreSQL) race here: the first to claim the seed
        // writes it; the others wait for its commit inside GetOrAddSetting and write nothing.
        var claim = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var seeded = await store.WriteAsync(tx =>
        {
            if (tx.GetOrAddSetting(SeedSettingKey, claim) != claim) return false;
            tx.InsertApp(app);
            var account = tx.GetAccount(credentials.DeliveryId, credentials.BizId)
                ?? tx.InsertAccount(credentials.DeliveryId, credentials.BizId, passwordHash, now);
            tx.ApplyLedger(account.Id, demo.Waybills, LedgerKinds.Credit, "demo:seed", now);
            tx.UpsertBinding(new BindingRecord(app.AppId, account.Id, account.DeliveryId, account.BizId, BindingStatus.Bound, "demo",
                "", "", now, now));
            if (operatorOptions.Value.Key is null) tx.SetSetting(OperatorKeys.SettingKey, Convert.ToHexString(keyHash));
            return true;
        }, cancellationToken);
        if (!seeded) return await ReadCredentialsAsync(path, cancellationToken);
        if (operatorOptions.Value.Key is null) operatorKeys.Remember(keyHash);

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var fileOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var file = new FileStream(path, fileOptions))
        {
            await JsonSerializer.SerializeAsync(file, credentials, DemoJsonContext.Default.DemoCredentials, cancellationToken);
        }
        logger.LogInformation("Seeded the demo: app {AppId}, account YTO/xyz with {Waybills} waybills", app.AppId, demo.Waybills);
        return credentials;
    }

    /// <summary>The newcomer's welcome: credentials and copy-paste commands (printed to the console, never logged).</summary>
    public static string Banner(DemoCredentials c, string baseUrl) => $"""

        WaybillQuota is running on {baseUrl} (demo data; turn off with Demo__Enabled=false)
          appid         {c.Appid}
          secret        {c.Secret}
          operator key  {c.OperatorKey}
          account       {c.DeliveryId} / {c.BizId} (password {c.AccountPassword})

        Get a token, then the quota:
          TOKEN=$(curl -s "{baseUrl}/cgi-bin/token?grant_type=client_credential&appid={c.Appid}&secret={c.Secret}" | sed -E 's/.*"access_token":"([^"]+)".*/\1/')
          curl -s -X POST "{baseUrl}{Quota.QuotaApi.Path}?access_token=$TOKEN" -d '{"{"}"delivery_id":"YTO","biz_id":"xyz"{"}"}'
        → {"{"}"quota_num":210{"}"}

        """;
}
