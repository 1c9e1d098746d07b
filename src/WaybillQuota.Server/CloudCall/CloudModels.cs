using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.CloudCall;

public sealed record CreateCloudEnvRequest(string? EnvId, string? Appid, string? Credential);

public sealed record CloudEnvCreated(string EnvId, string Appid, string Credential, long CreatedAt);

public sealed record CloudEnvView(string EnvId, string Appid, long CreatedAt, long UpdatedAt);

public sealed record CloudCredentialRotated(string EnvId, string Credential);

/// <param name="Permissions">What config.json declares.</param>
/// <param name="PermissionsInForce">What the gateway allows now; differs from <paramref name="Permissions"/> until <paramref name="EffectiveAt"/>.</param>
/// <param name="EffectiveAt">Unix seconds at which <paramref name="Permissions"/> is (or was) in force.</param>
public sealed record CloudFunctionView(string EnvId, string Name, IReadOnlyList<string> Permissions,
    IReadOnlyList<string> PermissionsInForce, long EffectiveAt, bool Pending, JsonNode? Config, long CreatedAt, long UpdatedAt)
{
    public static CloudFunctionView From(CloudFunctionRecord f, long nowMs)
    {
        JsonNode? config;
        try { config = JsonNode.Parse(f.Config, documentOptions: new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (System.Text.Json.JsonException) { config = null; }
        return new CloudFunctionView(f.EnvId, f.Name, f.Permissions, f.PermissionsAt(nowMs), f.EffectiveAt / 1000, nowMs < f.EffectiveAt,
            config, f.CreatedAt / 1000, f.UpdatedAt / 1000);
    }
}

public sealed record CloudFunctionPutView(CloudFunctionView Function, bool Changed);

public sealed record CloudProjectLoaded(string EnvId, string ProjectPath, IReadOnlyList<CloudFunctionPutView> Functions);

/// <summary>JSON of the cloud operator routes (snake_case, like the rest of /ops/v1) and of the gateway's body reader.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CreateCloudEnvRequest))]
[JsonSerializable(typeof(CloudEnvCreated))]
[JsonSerializable(typeof(CloudEnvView))]
[JsonSerializable(typeof(Operator.ItemsOf<CloudEnvView>))]
[JsonSerializable(typeof(CloudCredentialRotated))]
[JsonSerializable(typeof(CloudFunctionView))]
[JsonSerializable(typeof(Operator.ItemsOf<CloudFunctionView>))]
[JsonSerializable(typeof(CloudFunctionPutView))]
[JsonSerializable(typeof(CloudProjectLoaded))]
[JsonSerializable(typeof(JsonObject))]
public sealed partial class CloudJsonContext : JsonSerializerContext;
