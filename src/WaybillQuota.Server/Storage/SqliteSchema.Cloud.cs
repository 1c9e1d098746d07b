namespace WaybillQuota.Server.Storage;

internal static partial class SqliteSchema
{
    /// <summary>
    /// Cloud call: environments and their functions. Only TEXT and BIGINT columns (hashes as hex), so this script
    /// runs unchanged on PostgreSQL too.
    /// </summary>
    public const string V3 = """
        CREATE TABLE cloud_envs (
            env_id TEXT PRIMARY KEY,
            appid TEXT NOT NULL REFERENCES apps (appid),
            credential_hash TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE cloud_functions (
            env_id TEXT NOT NULL REFERENCES cloud_envs (env_id),
            name TEXT NOT NULL,
            config TEXT NOT NULL,
            permissions TEXT NOT NULL,
            previous_permissions TEXT NOT NULL,
            effective_at BIGINT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (env_id, name)
        );
        """;
}
