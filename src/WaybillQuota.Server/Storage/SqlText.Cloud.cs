using System.Data.Common;

namespace WaybillQuota.Server.Storage;

internal static partial class SqlText
{
    public const string CloudEnvColumns = "env_id, appid, credential_hash, created_at, updated_at";
    public const string CloudFunctionColumns =
        "env_id, name, config, permissions, previous_permissions, effective_at, created_at, updated_at";

    public static CloudEnvRecord ReadCloudEnv(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), Convert.FromHexString(r.GetString(2)), r.GetInt64(3), r.GetInt64(4));

    public static CloudFunctionRecord ReadCloudFunction(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), SplitList(r.GetString(3)), SplitList(r.GetString(4)), r.GetInt64(5),
        r.GetInt64(6), r.GetInt64(7));

    // Permission entries never hold whitespace (checked when a config.json is read), so a newline separates them.
    public static string JoinList(IReadOnlyList<string> items) => string.Join('\n', items);

    public static IReadOnlyList<string> SplitList(string text) => text.Length == 0 ? [] : text.Split('\n');
}
