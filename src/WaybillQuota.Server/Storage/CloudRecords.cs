namespace WaybillQuota.Server.Storage;

/// <summary>A cloud environment: it belongs to one app, and its functions call that app's APIs without a token.</summary>
/// <param name="CredentialHash">SHA-256 of the environment's credential; the credential itself is shown once and never stored.</param>
public sealed record CloudEnvRecord(string EnvId, string AppId, byte[] CredentialHash, long CreatedAt, long UpdatedAt);

/// <summary>
/// A cloud function of an environment and its declared openapi permissions (<c>config.json</c>). A change is not in
/// force at once: until <paramref name="EffectiveAt"/> the function keeps <paramref name="PreviousPermissions"/>, as
/// WeChat caches the file after it changes. Storing the instant, rather than caching in memory, makes every server
/// instance switch at the same moment.
/// </summary>
/// <param name="Config">The config.json text as registered, for the operator to read back.</param>
/// <param name="Permissions">The declared entries, e.g. <c>logistics.getQuota</c>, sorted and distinct.</param>
public sealed record CloudFunctionRecord(
    string EnvId,
    string Name,
    string Config,
    IReadOnlyList<string> Permissions,
    IReadOnlyList<string> PreviousPermissions,
    long EffectiveAt,
    long CreatedAt,
    long UpdatedAt)
{
    /// <summary>The permissions in force at <paramref name="nowMs"/>.</summary>
    public IReadOnlyList<string> PermissionsAt(long nowMs) => nowMs >= EffectiveAt ? Permissions : PreviousPermissions;
}
