using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.CloudCall;

/// <summary>
/// The cloud-call form of every logistics API (<c>openapi.logistics.&lt;method&gt;</c>), see docs/cloud-call.md:
/// <c>POST /tcb/openapi/logistics/{method}</c>, the function named by <c>X-Cloud-Env</c> and <c>X-Cloud-Function</c>
/// and authenticated by its environment's credential (<c>Authorization: Bearer</c>); lowerCamelCase JSON in and out.
/// It runs the very <see cref="IWeChatApi"/> the HTTP route runs, between two key rewrites.
/// </summary>
public static class CloudGateway
{
    public const string RoutePrefix = "/tcb/openapi/logistics/";
    public const string EnvHeader = "X-Cloud-Env";
    public const string FunctionHeader = "X-Cloud-Function";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static IEndpointRouteBuilder MapCloudGateway(this IEndpointRouteBuilder app)
    {
        // One route for all: every registered IWeChatApi (the order APIs too, once registered) is a cloud method by its CloudName.
        var apis = app.ServiceProvider.GetServices<IWeChatApi>().ToDictionary(a => a.CloudName, StringComparer.Ordinal);
        // Singletons, resolved once, as the HTTP routes do: no DI scope per call.
        var services = new GatewayServices(app.ServiceProvider.GetRequiredService<CloudDirectory>(),
            app.ServiceProvider.GetRequiredService<IWaybillStore>(), app.ServiceProvider.GetRequiredService<CallBudget>(),
            app.ServiceProvider.GetRequiredService<Microsoft.Extensions.Options.IOptions<WeChatOptions>>().Value.MaxBodyBytes);
        app.MapMethods(RoutePrefix + "{method}", [HttpMethods.Get, HttpMethods.Post, HttpMethods.Put, HttpMethods.Delete],
                (HttpContext context, string method) => HandleAsync(context, method, apis, services))
            .ExcludeFromDescription();
        return app;
    }

    private sealed record GatewayServices(CloudDirectory Directory, IWaybillStore Store, CallBudget Budget, int MaxBodyBytes);

    private static async Task HandleAsync(HttpContext context, string method, IReadOnlyDictionary<string, IWeChatApi> apis,
        GatewayServices services)
    {
        var prefix = $"openapi.logistics.{method}";

        // 1. Who calls: the environment's credential and the function's name, like the access token of the HTTP form.
        var envId = context.Request.Headers[EnvHeader].ToString();
        var functionName = context.Request.Headers[FunctionHeader].ToString();
        var credential = BearerCredential(context);
        if (envId.Length == 0 || functionName.Length == 0 || credential.Length == 0)
        {
            await FailAsync(context, prefix, new ApiError(ErrorCodes.AccessTokenMissing));
            return;
        }
        var directory = services.Directory;
        var env = await directory.AuthenticateAsync(envId, credential, context.RequestAborted);
        var app = env is null ? null : await services.Store.FindAppAsync(env.AppId, context.RequestAborted);
        if (app is null)
        {
            // The same answer for an unknown environment and a wrong credential: nothing says which environments exist.
            await FailAsync(context, prefix, new ApiError(ErrorCodes.InvalidCredential));
            return;
        }

        // 2. The method, as the HTTP routes check it after the token.
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await FailAsync(context, prefix, new ApiError(ErrorCodes.RequirePost));
            return;
        }

        // 3. The function's config.json must declare the API (an API that does not exist cannot be declared usefully).
        var permissions = await directory.PermissionsAsync(envId, functionName, context.RequestAborted);
        if (!apis.TryGetValue(method, out var api) || !permissions.Contains(CloudConfig.LogisticsPermission(method), StringComparer.Ordinal))
        {
            CloudLog.Denied(context, envId, functionName, method);
            await WriteAsync(context, new JsonObject
            {
                ["errCode"] = ErrorCodes.CloudPermissionDenied,
                ["errMsg"] = $"{prefix}:fail {ErrorCodes.Message(ErrorCodes.CloudPermissionDenied)}",
            });
            return;
        }

        // 4. The app's call budget of the API is the same one its HTTP calls spend.
        if (services.Budget.TryConsume(app, api.CloudName) is { } limited)
        {
            await FailAsync(context, prefix, limited);
            return;
        }

        // 5. The body, read with the HTTP form's rules (size, 44002, 47001), then rewritten to snake_case.
        JsonNode? body = null;
        if (api.IsPost)
        {
            var (parsed, bodyError) = await WeChatBody.ReadAsync(context, CloudJsonContext.Default.JsonObject, services.MaxBodyBytes);
            if (bodyError is { } e)
            {
                await FailAsync(context, prefix, e);
                return;
            }
            body = CloudNaming.ToSnake(parsed);
        }

        var (answer, error) = await api.InvokeAsync(new WeChatCall(app, context, context.RequestAborted), body);
        if (error is { } failure)
        {
            await FailAsync(context, prefix, failure);
            return;
        }

        var result = CloudNaming.ToCamel(answer) as JsonObject ?? new JsonObject();
        // Answers that carry errcode 0 in the HTTP form (bind, cancel) keep errCode 0; errMsg always says which call succeeded.
        result["errMsg"] = $"{prefix}:ok";
        await WriteAsync(context, result);
    }

    private static string BearerCredential(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : "";
    }

    private static Task FailAsync(HttpContext context, string prefix, ApiError error)
    {
        var rid = RequestId.Get(context);
        WeChatLog.Answered(context, error.Code, rid);
        return WriteAsync(context, new JsonObject
        {
            ["errCode"] = error.Code,
            ["errMsg"] = $"{prefix}:fail {error.FormatMessage(rid)}",
        });
    }

    /// <summary>Like every WeChat answer: HTTP 200, WeChat's content type, UTF-8 text unescaped.</summary>
    private static async Task WriteAsync(HttpContext context, JsonObject body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = WeChatResponse.ContentType;
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter, WriterOptions);
        body.WriteTo(writer);
        await writer.FlushAsync(context.RequestAborted);
    }
}
