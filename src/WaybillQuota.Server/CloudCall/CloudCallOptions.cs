using System.ComponentModel.DataAnnotations;

namespace WaybillQuota.Server.CloudCall;

/// <summary>Configuration section <c>CloudCall</c>.</summary>
public sealed class CloudCallOptions
{
    public const string Section = "CloudCall";

    /// <summary>
    /// Seconds after a change of a function's config.json until the change is in force, as WeChat caches the file
    /// for 10 minutes after it changes. Default 600.
    /// </summary>
    [Range(0, 86_400)]
    public int PermissionCacheSeconds { get; set; } = 600;

    /// <summary>
    /// Seconds this instance may serve its in-memory copy of environments and functions before reading them again, so
    /// that changes made through another instance (PostgreSQL mode) are seen. Changes made through this instance are
    /// seen at once. Never longer than <see cref="PermissionCacheSeconds"/> in effect, so every instance switches
    /// permissions at the same instant. Default 30.
    /// </summary>
    [Range(0, 3_600)]
    public int RefreshSeconds { get; set; } = 30;

    /// <summary>
    /// Environments set up at start, by id: <c>CloudCall:Environments:&lt;env&gt;:AppId</c>, <c>:Credential</c>,
    /// <c>:ProjectPath</c>. Default none.
    /// </summary>
    public Dictionary<string, CloudEnvironmentOptions> Environments { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>An environment configured at start (<c>CloudCall:Environments:&lt;env&gt;</c>).</summary>
public sealed class CloudEnvironmentOptions
{
    /// <summary>The app the environment belongs to. Required when the environment is not registered yet; default none.</summary>
    public string? AppId { get; set; }

    /// <summary>
    /// The environment's credential (keep it in user secrets or an environment variable). Only its hash is stored; when
    /// set, it replaces the stored one at start. Default none: a new environment then gets a random credential that
    /// the operator obtains by rotating it (<c>POST /ops/v1/cloud/envs/{env}/credential</c>).
    /// </summary>
    public string? Credential { get; set; }

    /// <summary>
    /// A mini-program project folder: each <c>&lt;cloudfunctionRoot&gt;/&lt;name&gt;/config.json</c> (root from
    /// project.config.json, default <c>cloudfunctions</c>) is registered as function <c>name</c> at start and on
    /// <c>POST /ops/v1/cloud/envs/{env}/reload</c>. Default none.
    /// </summary>
    public string? ProjectPath { get; set; }
}
