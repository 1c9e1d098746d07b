namespace WaybillQuota.Server.Storage;

public abstract partial class SqlWaybillStore
{
    public Task<IReadOnlyList<CloudEnvRecord>> ListCloudEnvsAsync(CancellationToken cancellationToken) =>
        QueryAsync($"SELECT {SqlText.CloudEnvColumns} FROM cloud_envs ORDER BY env_id", SqlText.ReadCloudEnv, cancellationToken);

    public Task<IReadOnlyList<CloudFunctionRecord>> ListCloudFunctionsAsync(string? envId, CancellationToken cancellationToken) =>
        envId is null
            ? QueryAsync($"SELECT {SqlText.CloudFunctionColumns} FROM cloud_functions ORDER BY env_id, name", SqlText.ReadCloudFunction,
                cancellationToken)
            : QueryAsync($"SELECT {SqlText.CloudFunctionColumns} FROM cloud_functions WHERE env_id = @p0 ORDER BY name",
                SqlText.ReadCloudFunction, cancellationToken, envId);
}
