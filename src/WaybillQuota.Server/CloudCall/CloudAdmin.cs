using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.CloudCall;

public enum CloudAdminError
{
    None,
    EnvNotFound,
    EnvExists,
    AppNotFound,
    Invalid,
}

/// <summary>The outcome of registering or replacing a function's config.json.</summary>
/// <param name="Changed">Whether the declared permissions changed (a new function, or a change that is now pending).</param>
public sealed record FunctionPut(CloudFunctionRecord Function, bool Changed);

/// <summary>Registers environments and functions (operator API, start-up configuration). Every write invalidates the gateway's copy.</summary>
public sealed class CloudAdmin(IWaybillStore store, CloudDirectory directory, TimeProvider time, IOptions<CloudCallOptions> options)
{
    private readonly long _windowMs = options.Value.PermissionCacheSeconds * 1000L;

    /// <summary>Registers an environment of an app; the credential (given, or a new random one) is answered and only its hash kept.</summary>
    public async Task<(CloudEnvRecord? Env, string? Credential, CloudAdminError Error)> RegisterEnvAsync(string envId, string appId,
        string? credential, CancellationToken cancellationToken)
    {
        var text = credential ?? Secrets.NewToken();
        var now = time.NowMs();
        var env = new CloudEnvRecord(envId, appId, Secrets.Hash(text), now, now);
        var error = await store.WriteAsync(tx =>
        {
            if (tx.GetApp(appId) is null) return CloudAdminError.AppNotFound;
            if (tx.GetCloudEnv(envId) is not null) return CloudAdminError.EnvExists;
            tx.InsertCloudEnv(env);
            return CloudAdminError.None;
        }, cancellationToken);
        directory.Invalidate();
        return error == CloudAdminError.None ? (env, text, error) : (null, null, error);
    }

    /// <summary>Replaces the environment's credential (the given one, or a new random one); the old one stops working at once.</summary>
    public async Task<string?> SetCredentialAsync(string envId, string? credential, CancellationToken cancellationToken)
    {
        var text = credential ?? Secrets.NewToken();
        var hash = Secrets.Hash(text);
        var now = time.NowMs();
        var found = await store.WriteAsync(tx =>
        {
            if (tx.GetCloudEnv(envId) is not { } env) return false;
            if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(env.CredentialHash, hash))
                tx.UpdateCloudEnvCredential(envId, hash, now);
            return true;
        }, cancellationToken);
        directory.Invalidate();
        return found ? text : null;
    }

    /// <summary>
    /// Registers or replaces a function's config.json. A new function's permissions are in force at once (nothing was
    /// cached for it); a change is in force <see cref="CloudCallOptions.PermissionCacheSeconds"/> later, and until then the
    /// permissions in force now stay. The same permissions again change nothing, so a reload does not restart the wait.
    /// </summary>
    public async Task<(FunctionPut? Result, CloudAdminError Error, string? Problem)> PutFunctionAsync(string envId, string name,
        string configText, CancellationToken cancellationToken)
    {
        var (permissions, invalid) = CloudConfig.ReadPermissions(configText);
        if (permissions is null) return (null, CloudAdminError.Invalid, invalid);

        var now = time.NowMs();
        var result = await store.WriteAsync<FunctionPut?>(tx =>
        {
            if (tx.GetCloudEnv(envId) is null) return null;
            var old = tx.GetCloudFunction(envId, name);
            CloudFunctionRecord next;
            if (old is null)
            {
                next = new CloudFunctionRecord(envId, name, configText, permissions, [], now, now, now);
            }
            else if (old.Permissions.SequenceEqual(permissions, StringComparer.Ordinal))
            {
                if (old.Config == configText) return new FunctionPut(old, false);
                // Only the text changed (order, duplicates, other keys): kept for the operator, no window to wait.
                var edited = old with { Config = configText, UpdatedAt = now };
                tx.UpsertCloudFunction(edited);
                return new FunctionPut(edited, false);
            }
            else
            {
                next = old with
                {
                    Config = configText,
                    Permissions = permissions,
                    PreviousPermissions = old.PermissionsAt(now),
                    EffectiveAt = now + _windowMs,
                    UpdatedAt = now,
                };
            }
            tx.UpsertCloudFunction(next);
            return new FunctionPut(next, true);
        }, cancellationToken);
        directory.Invalidate();
        return result is null ? (null, CloudAdminError.EnvNotFound, null) : (result, CloudAdminError.None, null);
    }

    /// <summary>
    /// Registers every function of a mini-program project: each folder of its cloud-function root (<c>cloudfunctionRoot</c> of
    /// project.config.json, default <c>cloudfunctions</c>) is a function, with the permissions of its config.json (none
    /// when it has none, as on WeChat). Functions registered before but absent from the folder are left as they are.
    /// </summary>
    public async Task<(IReadOnlyList<FunctionPut>? Functions, CloudAdminError Error, string? Problem)> LoadProjectAsync(string envId,
        string projectPath, CancellationToken cancellationToken)
    {
        var root = FunctionRoot(projectPath);
        if (root is null) return (null, CloudAdminError.Invalid, $"No cloud-function folder was found in {projectPath}.");

        var results = new List<FunctionPut>();
        foreach (var folder in Directory.EnumerateDirectories(root).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(folder);
            if (!CloudConfig.IsValidName(name)) continue;
            var file = Path.Combine(folder, "config.json");
            var text = File.Exists(file) ? await File.ReadAllTextAsync(file, cancellationToken) : "{}";
            var (put, error, problem) = await PutFunctionAsync(envId, name, text, cancellationToken);
            if (error != CloudAdminError.None) return (null, error, problem is null ? null : $"{file}: {problem}");
            results.Add(put!);
        }
        return (results, CloudAdminError.None, null);
    }

    private static string? FunctionRoot(string projectPath)
    {
        if (!Directory.Exists(projectPath)) return null;
        var relative = "cloudfunctions";
        var projectConfig = Path.Combine(projectPath, "project.config.json");
        if (File.Exists(projectConfig))
        {
            try
            {
                if (JsonNode.Parse(File.ReadAllText(projectConfig))?["cloudfunctionRoot"] is JsonValue value &&
                    value.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is { Length: > 0 } configured)
                    relative = configured;
            }
            catch (JsonException)
            {
                // A project.config.json we cannot read still has the conventional folder.
            }
        }
        var root = Path.GetFullPath(Path.Combine(projectPath, relative));
        return Directory.Exists(root) ? root : null;
    }
}
