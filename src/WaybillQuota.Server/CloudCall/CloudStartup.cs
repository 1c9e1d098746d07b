using Microsoft.Extensions.Options;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.CloudCall;

/// <summary>
/// Sets up the environments of <c>CloudCall:Environments</c> after the store has started: registers them, applies a
/// configured credential, loads a configured project folder. A misconfiguration stops the start, with the key to fix.
/// </summary>
internal sealed class CloudStartup(CloudAdmin admin, IWaybillStore store, IOptions<CloudCallOptions> options,
    ILogger<CloudStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Environments.Count == 0) return;
        var existing = (await store.ListCloudEnvsAsync(cancellationToken)).ToDictionary(e => e.EnvId, StringComparer.Ordinal);
        foreach (var (envId, env) in options.Value.Environments)
        {
            var key = $"{CloudCallOptions.Section}:Environments:{envId}";
            if (!CloudConfig.IsValidName(envId))
                throw new InvalidOperationException($"{key}: an environment id is 1 to 64 of A-Z a-z 0-9 - _.");
            if (env.Credential is { Length: < 16 })
                throw new InvalidOperationException($"{key}:Credential must be at least 16 characters.");

            if (existing.TryGetValue(envId, out var stored))
            {
                if (env.AppId is not null && env.AppId != stored.AppId)
                    throw new InvalidOperationException($"{key}:AppId is {env.AppId}, but the environment belongs to {stored.AppId}.");
                if (env.Credential is not null) await admin.SetCredentialAsync(envId, env.Credential, cancellationToken);
            }
            else
            {
                if (string.IsNullOrEmpty(env.AppId))
                    throw new InvalidOperationException($"{key}:AppId is required: the environment is not registered yet.");
                var (_, _, error) = await admin.RegisterEnvAsync(envId, env.AppId, env.Credential, cancellationToken);
                if (error == CloudAdminError.AppNotFound)
                    throw new InvalidOperationException($"{key}:AppId {env.AppId} is not an app of this server.");
                logger.LogInformation("Registered cloud environment {Env} of app {AppId}", envId, env.AppId);
            }

            if (!string.IsNullOrEmpty(env.ProjectPath))
            {
                var (functions, loadError, problem) = await admin.LoadProjectAsync(envId, env.ProjectPath, cancellationToken);
                if (loadError != CloudAdminError.None) throw new InvalidOperationException($"{key}:ProjectPath: {problem ?? loadError.ToString()}");
                logger.LogInformation("Cloud environment {Env}: {Count} functions from {Path} ({Changed} changed)", envId,
                    functions!.Count, env.ProjectPath, functions.Count(f => f.Changed));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
