using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.WeChat;

/// <summary>What a handler knows about the call: the authenticated app, and the request's cancellation.</summary>
public sealed record WeChatCall(AppRecord App, HttpContext? Http, CancellationToken CancellationToken)
{
    public string AppId => App.AppId;
}

/// <summary>The body of a GET route: there is none.</summary>
public sealed record NoBody
{
    public static readonly NoBody Instance = new();
}

/// <summary>
/// One express-business API, defined once and served in two wire forms: the HTTP route (snake_case, access token)
/// and the cloud call (lowerCamelCase, no token). Both run the same <see cref="Handler"/>.
/// </summary>
public interface IWeChatApi
{
    /// <summary>The cloud-call name, e.g. <c>getQuota</c> for <c>openapi.logistics.getQuota</c>.</summary>
    string CloudName { get; }

    /// <summary>Path below the server root, e.g. <c>/cgi-bin/express/business/quota/get</c>.</summary>
    string Path { get; }

    bool IsPost { get; }

    /// <summary>Runs the API on a snake_case JSON body (null for GET routes) and answers a snake_case JSON node.</summary>
    ValueTask<(JsonNode? Body, ApiError? Error)> InvokeAsync(WeChatCall call, JsonNode? body);

    /// <summary>The HTTP form, with the checks of the spec in its order: method, body, then the handler.</summary>
    Task HandleHttpAsync(HttpContext context, AppRecord app);
}

public sealed class WeChatApi<TRequest, TResponse>(
    string cloudName,
    string path,
    bool isPost,
    JsonTypeInfo<TRequest>? requestType,
    JsonTypeInfo<TResponse> responseType,
    Func<WeChatCall, TRequest, ValueTask<ApiResult<TResponse>>> handler) : IWeChatApi
    where TRequest : class
{
    // WeChatOptions.MaxBodyBytes, read once from the container on the first call (IOptions never changes); 0 until then.
    private int _maxBodyBytes;

    public string CloudName => cloudName;
    public string Path => path;
    public bool IsPost => isPost;
    public Func<WeChatCall, TRequest, ValueTask<ApiResult<TResponse>>> Handler => handler;

    public async ValueTask<(JsonNode? Body, ApiError? Error)> InvokeAsync(WeChatCall call, JsonNode? body)
    {
        TRequest? request;
        if (requestType is null)
        {
            request = (TRequest)(object)NoBody.Instance;
        }
        else
        {
            if (body is null) return (null, new ApiError(ErrorCodes.EmptyPostData));
            try
            {
                request = body.Deserialize(requestType);
            }
            catch (JsonException)
            {
                return (null, new ApiError(ErrorCodes.DataFormatError));
            }
            catch (InvalidOperationException)
            {
                return (null, new ApiError(ErrorCodes.DataFormatError));
            }
            if (request is null) return (null, new ApiError(ErrorCodes.DataFormatError));
        }

        var result = await handler(call, request);
        return result.Error is { } error
            ? (null, error)
            : (JsonSerializer.SerializeToNode(result.Value!, responseType), null);
    }

    public async Task HandleHttpAsync(HttpContext context, AppRecord app)
    {
        var isPostRequest = HttpMethods.IsPost(context.Request.Method);
        if (isPost != isPostRequest)
        {
            await WeChatResponse.WriteErrorAsync(context,
                new ApiError(isPost ? ErrorCodes.RequirePost : ErrorCodes.RequireGet));
            return;
        }

        TRequest request;
        if (requestType is null)
        {
            request = (TRequest)(object)NoBody.Instance;
        }
        else
        {
            if (_maxBodyBytes == 0) _maxBodyBytes = WeChatBody.MaxBytes(context);
            var (parsed, error) = await WeChatBody.ReadAsync(context, requestType, _maxBodyBytes);
            if (error is { } bodyError)
            {
                await WeChatResponse.WriteErrorAsync(context, bodyError);
                return;
            }
            request = parsed!;
        }

        var result = await handler(new WeChatCall(app, context, context.RequestAborted), request);
        if (result.Error is { } failure)
        {
            await WeChatResponse.WriteErrorAsync(context, failure);
        }
        else
        {
            await WeChatResponse.WriteAsync(context, result.Value!, responseType);
        }
    }
}

/// <summary>Reads a WeChat JSON body: bounded in size, 44002 when empty, 47001 when not a JSON object of the right shape.</summary>
public static class WeChatBody
{
    public static ValueTask<(T? Value, ApiError? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class => ReadAsync(context, typeInfo, MaxBytes(context));

    /// <summary>The configured <see cref="WeChatOptions.MaxBodyBytes"/>; callers on a hot path keep it rather than ask per request.</summary>
    public static int MaxBytes(HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<WeChatOptions>>().Value.MaxBodyBytes;

    public static async ValueTask<(T? Value, ApiError? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, int limit)
        where T : class
    {
        if (context.Request.ContentLength > limit) return (null, new ApiError(ErrorCodes.DataFormatError, "body too large"));

        var reader = context.Request.BodyReader;
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            var buffer = read.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return (null, new ApiError(ErrorCodes.DataFormatError, "body too large"));
            }
            if (!read.IsCompleted)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                continue;
            }

            try
            {
                return Parse(buffer, typeInfo);
            }
            finally
            {
                reader.AdvanceTo(buffer.End);
            }
        }
    }

    private static (T? Value, ApiError? Error) Parse<T>(ReadOnlySequence<byte> buffer, JsonTypeInfo<T> typeInfo) where T : class
    {
        if (IsBlank(buffer)) return (null, new ApiError(ErrorCodes.EmptyPostData));
        try
        {
            var json = new Utf8JsonReader(buffer);
            var value = JsonSerializer.Deserialize(ref json, typeInfo);
            return value is null ? (null, new ApiError(ErrorCodes.DataFormatError)) : (value, null);
        }
        catch (JsonException)
        {
            return (null, new ApiError(ErrorCodes.DataFormatError));
        }
    }

    private static bool IsBlank(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
            }
        }
        return true;
    }
}

/// <summary>Configuration section <c>WeChat</c>.</summary>
public sealed class WeChatOptions
{
    public const string Section = "WeChat";

    /// <summary>Largest request body accepted on a WeChat route, in bytes. Default 16 KiB.</summary>
    [System.ComponentModel.DataAnnotations.Range(1024, 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16 * 1024;
}
