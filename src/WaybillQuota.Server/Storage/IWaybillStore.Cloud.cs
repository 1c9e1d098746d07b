namespace WaybillQuota.Server.Storage;

public partial interface IWaybillStore
{
    /// <summary>
    /// Every cloud environment. Read in full, not one by one: the gateway keeps them all in memory, so an unknown
    /// environment costs the same as a known one and the answer's timing does not say which exist.
    /// </summary>
    Task<IReadOnlyList<CloudEnvRecord>> ListCloudEnvsAsync(CancellationToken cancellationToken);

    /// <summary>The cloud functions of one environment (or of all when null), by environment and name.</summary>
    Task<IReadOnlyList<CloudFunctionRecord>> ListCloudFunctionsAsync(string? envId, CancellationToken cancellationToken);
}

public partial interface IStoreTransaction
{
    CloudEnvRecord? GetCloudEnv(string envId);
    void InsertCloudEnv(CloudEnvRecord env);
    void UpdateCloudEnvCredential(string envId, byte[] credentialHash, long now);

    CloudFunctionRecord? GetCloudFunction(string envId, string name);
    void UpsertCloudFunction(CloudFunctionRecord function);
}
