namespace WaybillQuota.Server.Storage;

internal sealed partial class SqlStoreTransaction
{
    public CloudEnvRecord? GetCloudEnv(string envId)
    {
        var cmd = Command($"SELECT {SqlText.CloudEnvColumns} FROM cloud_envs WHERE env_id = @env", ("env", envId));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadCloudEnv(reader) : null;
    }

    public void InsertCloudEnv(CloudEnvRecord env)
    {
        var cmd = Command(
            "INSERT INTO cloud_envs (env_id, appid, credential_hash, created_at, updated_at) VALUES (@env, @appid, @hash, @at, @at)",
            ("env", env.EnvId), ("appid", env.AppId), ("hash", Convert.ToHexStringLower(env.CredentialHash)), ("at", env.CreatedAt));
        cmd.ExecuteNonQuery();
    }

    public void UpdateCloudEnvCredential(string envId, byte[] credentialHash, long now)
    {
        var cmd = Command("UPDATE cloud_envs SET credential_hash = @hash, updated_at = @now WHERE env_id = @env",
            ("hash", Convert.ToHexStringLower(credentialHash)), ("now", now), ("env", envId));
        cmd.ExecuteNonQuery();
    }

    public CloudFunctionRecord? GetCloudFunction(string envId, string name)
    {
        var cmd = Command($"SELECT {SqlText.CloudFunctionColumns} FROM cloud_functions WHERE env_id = @env AND name = @name",
            ("env", envId), ("name", name));
        using var reader = cmd.ExecuteReader();
        return reader.Read() ? SqlText.ReadCloudFunction(reader) : null;
    }

    public void UpsertCloudFunction(CloudFunctionRecord function)
    {
        var cmd = Command(
            "INSERT INTO cloud_functions (env_id, name, config, permissions, previous_permissions, effective_at, created_at, updated_at) " +
            "VALUES (@env, @name, @config, @permissions, @previous, @effective, @created, @updated) " +
            "ON CONFLICT (env_id, name) DO UPDATE SET config = excluded.config, permissions = excluded.permissions, " +
            "previous_permissions = excluded.previous_permissions, effective_at = excluded.effective_at, updated_at = excluded.updated_at",
            ("env", function.EnvId), ("name", function.Name), ("config", function.Config),
            ("permissions", SqlText.JoinList(function.Permissions)), ("previous", SqlText.JoinList(function.PreviousPermissions)),
            ("effective", function.EffectiveAt), ("created", function.CreatedAt), ("updated", function.UpdatedAt));
        cmd.ExecuteNonQuery();
    }
}
