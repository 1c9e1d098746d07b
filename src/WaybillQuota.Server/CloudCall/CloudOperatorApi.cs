using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.CloudCall;

/// <summary>Cloud environments and functions on the operator API (<c>/ops/v1/cloud</c>), see docs/operator-api.md.</summary>
public static class CloudOperatorApi
{
    /// <summary>Maps the routes below the operator group, so they share its key check and problem-details conventions.</summary>
    public static RouteGroupBuilder MapCloudOperator(this RouteGroupBuilder ops)
    {
        var cloud = ops.MapGroup("/cloud").WithTags("Cloud call");
        cloud.MapPost("/envs", CreateEnvAsync);
        cloud.MapGet("/envs", ListEnvsAsync);
        cloud.MapPost("/envs/{envId}/credential", RotateCredentialAsync);
        cloud.MapPost("/envs/{envId}/reload", ReloadAsync);
        cloud.MapGet("/envs/{envId}/functions", ListFunctionsAsync);
        cloud.MapGet("/envs/{envId}/functions/{name}", GetFunctionAsync);
        cloud.MapPut("/envs/{envId}/functions/{name}", PutFunctionAsync).Accepts<string>("application/json");
        return cloud;
    }

    private static ProblemHttpResult Problem(int status, string title, string? detail = null) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static CloudEnvView View(CloudEnvRecord e) => new(e.EnvId, e.AppId, e.CreatedAt / 1000, e.UpdatedAt / 1000);

    public static async Task<Results<Created<CloudEnvCreated>, ProblemHttpResult>> CreateEnvAsync(CreateCloudEnvRequest request,
        CloudAdmin admin, CancellationToken cancellationToken)
    {
        if (!CloudConfig.IsValidName(request.EnvId)) return Problem(400, "env_id is required: 1 to 64 of A-Z a-z 0-9 - _.");
        if (string.IsNullOrEmpty(request.Appid)) return Problem(400, "appid is required.");
        if (request.Credential is { Length: < 16 or > 256 }) return Problem(400, "credential, when given, is 16 to 256 characters.");
        var (env, credential, error) = await admin.RegisterEnvAsync(request.EnvId!, request.Appid, request.Credential, cancellationToken);
        return error switch
        {
            CloudAdminError.AppNotFound => Problem(404, "No such app."),
            CloudAdminError.EnvExists => Problem(409, "The environment exists.", "Rotate its credential with POST /ops/v1/cloud/envs/{env_id}/credential."),
            _ => TypedResults.Created($"/ops/v1/cloud/envs/{env!.EnvId}",
                new CloudEnvCreated(env.EnvId, env.AppId, credential!, env.CreatedAt / 1000)),
        };
    }

    public static async Task<Ok<Operator.ItemsOf<CloudEnvView>>> ListEnvsAsync(IWaybillStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new Operator.ItemsOf<CloudEnvView>((await store.ListCloudEnvsAsync(cancellationToken)).Select(View).ToList()));

    public static async Task<Results<Ok<CloudCredentialRotated>, ProblemHttpResult>> RotateCredentialAsync(string envId, CloudAdmin admin,
        CancellationToken cancellationToken) =>
        await admin.SetCredentialAsync(envId, null, cancellationToken) is { } credential
            ? TypedResults.Ok(new CloudCredentialRotated(envId, credential))
            : Problem(404, "No such environment.");

    public static async Task<Results<Ok<Operator.ItemsOf<CloudFunctionView>>, ProblemHttpResult>> ListFunctionsAsync(string envId,
        IWaybillStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await EnvExistsAsync(store, envId, cancellationToken)) return Problem(404, "No such environment.");
        var now = time.NowMs();
        var functions = await store.ListCloudFunctionsAsync(envId, cancellationToken);
        return TypedResults.Ok(new Operator.ItemsOf<CloudFunctionView>(functions.Select(f => CloudFunctionView.From(f, now)).ToList()));
    }

    public static async Task<Results<Ok<CloudFunctionView>, ProblemHttpResult>> GetFunctionAsync(string envId, string name,
        IWaybillStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var functions = await store.ListCloudFunctionsAsync(envId, cancellationToken);
        return functions.FirstOrDefault(f => f.Name == name) is { } function
            ? TypedResults.Ok(CloudFunctionView.From(function, time.NowMs()))
            : Problem(404, "No such function.");
    }

    /// <summary>The body is the function's config.json exactly as in the project folder (any content type, so <c>curl -d @config.json</c> works).</summary>
    public static async Task<Results<Ok<CloudFunctionPutView>, ProblemHttpResult>> PutFunctionAsync(string envId, string name,
        HttpContext context, CloudAdmin admin, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!CloudConfig.IsValidName(name)) return Problem(400, "A function name is 1 to 64 of A-Z a-z 0-9 - _.");
        var text = await ReadBodyAsync(context.Request, cancellationToken);
        if (text is null) return Problem(400, $"The body must be a config.json of at most {CloudConfig.MaxConfigBytes} bytes.");
        var (put, error, problem) = await admin.PutFunctionAsync(envId, name, text, cancellationToken);
        return error switch
        {
            CloudAdminError.EnvNotFound => Problem(404, "No such environment."),
            CloudAdminError.Invalid => Problem(400, "The body is not a valid config.json.", problem),
            _ => TypedResults.Ok(new CloudFunctionPutView(CloudFunctionView.From(put!.Function, time.NowMs()), put.Changed)),
        };
    }

    /// <summary>Reads the configured project folder of the environment again (<c>CloudCall:Environments:&lt;env&gt;:ProjectPath</c>).</summary>
    public static async Task<Results<Ok<CloudProjectLoaded>, ProblemHttpResult>> ReloadAsync(string envId, CloudAdmin admin,
        IWaybillStore store, IOptions<CloudCallOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!await EnvExistsAsync(store, envId, cancellationToken)) return Problem(404, "No such environment.");
        if (!options.Value.Environments.TryGetValue(envId, out var configured) || string.IsNullOrEmpty(configured.ProjectPath))
            return Problem(409, "The environment has no project folder.", $"Set {CloudCallOptions.Section}:Environments:{envId}:ProjectPath.");
        var (functions, error, problem) = await admin.LoadProjectAsync(envId, configured.ProjectPath, cancellationToken);
        if (error != CloudAdminError.None) return Problem(400, "The project folder could not be loaded.", problem);
        var now = time.NowMs();
        return TypedResults.Ok(new CloudProjectLoaded(envId, configured.ProjectPath,
            functions!.Select(f => new CloudFunctionPutView(CloudFunctionView.From(f.Function, now), f.Changed)).ToList()));
    }

    private static async Task<bool> EnvExistsAsync(IWaybillStore store, string envId, CancellationToken cancellationToken) =>
        (await store.ListCloudEnvsAsync(cancellationToken)).Any(e => e.EnvId == envId);

    private static async Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > CloudConfig.MaxConfigBytes) return null;
        using var reader = new StreamReader(request.Body, System.Text.Encoding.UTF8);
        var buffer = new char[CloudConfig.MaxConfigBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken)) > 0) total += read;
        return total > CloudConfig.MaxConfigBytes ? null : new string(buffer, 0, total);
    }
}
