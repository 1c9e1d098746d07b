using System.Buffers;
using System.IO.Pipelines;
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

    // The HTTP form runs without a state machine of its own when the body is already in and the handler answers at
    // once (a getQuota on cached records): each step's task is checked, and only an unfinished one is awaited.
    public Task HandleHttpAsync(HttpContext context, AppRecord app)
    {
        if (isPost != HttpMethods.IsPost(context.Request.Method))
        {
            return WeChatResponse.WriteErrorAsync(context, new ApiError(isPost ? ErrorCodes.RequirePost : ErrorCodes.RequireGet));
        }
        if (requestType is null) return RunAsync(context, app, (TRequest)(object)NoBody.Instance);

        if (_maxBodyBytes == 0) _maxBodyBytes = WeChatBody.MaxBytes(context);
        var body = WeChatBody.ReadAsync(context, requestType, _maxBodyBytes);
        return body.IsCompletedSuccessfully ? RunAsync(context, app, body.Result) : ReadThenRunAsync(context, app, body);
    }

    private async Task ReadThenRunAsync(HttpContext context, AppRecord app, ValueTask<(TRequest? Value, ApiError? Error)> body) =>
        await RunAsync(context, app, await body);

    private Task RunAsync(HttpContext context, AppRecord app, (TRequest? Value, ApiError? Error) body) =>
        body.Error is { } error ? WeChatResponse.WriteErrorAsync(context, error) : RunAsync(context, app, body.Value!);

    private Task RunAsync(HttpContext context, AppRecord app, TRequest request)
    {
        var result = handler(new WeChatCall(app, context, context.RequestAborted), request);
        return result.IsCompletedSuccessfully ? AnswerAsync(context, result.Result) : AwaitThenAnswerAsync(context, result);
    }

    private async Task AwaitThenAnswerAsync(HttpContext context, ValueTask<ApiResult<TResponse>> result) =>
        await AnswerAsync(context, await result);

    private Task AnswerAsync(HttpContext context, ApiResult<TResponse> result) =>
        result.Error is { } failure
            ? WeChatResponse.WriteErrorAsync(context, failure)
            : WeChatResponse.WriteAsync(context, result.Value!, responseType);
}

/// <summary>Reads a WeChat JSON body: bounded in size, 44002 when empty, 47001 when not a JSON object of the right shape.</summary>
public static class WeChatBody
{
    public static ValueTask<(T? Value, ApiError? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo)
        where T : class => ReadAsync(context, typeInfo, MaxBytes(context));

    /// <summary>The configured <see cref="WeChatOptions.MaxBodyBytes"/>; callers on a hot path keep it rather than ask per request.</summary>
    public static int MaxBytes(HttpContext context) =>
        context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptions<WeChatOptions>>().Value.MaxBodyBytes;

    /// <summary>
    /// Reads and parses the whole body. A small body usually arrives with the request head, and is then parsed at once
    /// and answered as a completed task: no state machine, no wait.
    /// </summary>
    public static ValueTask<(T? Value, ApiError? Error)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> typeInfo, int limit)
        where T : class
    {
        if (context.Request.ContentLength > limit) return ValueTask.FromResult(TooLarge<T>());
        var reader = context.Request.BodyReader;
        return reader.TryRead(out var read) && TryComplete(reader, read, typeInfo, limit, out var parsed)
            ? ValueTask.FromResult(parsed)
            : ReadSlowAsync(context, reader, typeInfo, limit);
    }

    private static async ValueTask<(T? Value, ApiError? Error)> ReadSlowAsync<T>(HttpContext context, PipeReader reader,
        JsonTypeInfo<T> typeInfo, int limit) where T : class
    {
        while (true)
        {
            var read = await reader.ReadAsync(context.RequestAborted);
            if (TryComplete(reader, read, typeInfo, limit, out var parsed)) return parsed;
        }
    }

    /// <summary>
    /// Parses the body once it is all there or over the limit, and consumes it; otherwise marks it examined so that the
    /// next read waits for more.
    /// </summary>
    private static bool TryComplete<T>(PipeReader reader, ReadResult read, JsonTypeInfo<T> typeInfo, int limit,
        out (T? Value, ApiError? Error) parsed) where T : class
    {
        var buffer = read.Buffer;
        if (buffer.Length > limit)
        {
            reader.AdvanceTo(buffer.End);
            parsed = TooLarge<T>();
            return true;
        }
        if (!read.IsCompleted)
        {
            reader.AdvanceTo(buffer.Start, buffer.End);
            parsed = default;
            return false;
        }
        try
        {
            parsed = Parse(buffer, typeInfo);
            return true;
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }
    }

    private static (T? Value, ApiError? Error) TooLarge<T>() => (default, new ApiError(ErrorCodes.DataFormatError, "body too large"));

    private static (T? Value, ApiError? Error) Parse<T>(ReadOnlySequence<byte> buffer, JsonTypeInfo<T> typeInfo) where T : class
    {
        if (buffer.IsSingleSegment) return Parse(buffer.FirstSpan, typeInfo);
        // A body split across buffers (larger than one, or sent in pieces) is parsed from one copy, by the same rules.
        // The copy is cleared before it goes back to the shared pool: a stable_token body carries the app secret.
        var length = (int)buffer.Length;
        var copy = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer.CopyTo(copy);
            return Parse(copy.AsSpan(0, length), typeInfo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy, clearArray: true);
        }
    }

    private static (T? Value, ApiError? Error) Parse<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> typeInfo) where T : class
    {
        if (json.IndexOfAnyExcept(" \t\r\n"u8) < 0) return (null, new ApiError(ErrorCodes.EmptyPostData));
        try
        {
            // The whole body must be one JSON value: text after it is a format error too.
            var value = JsonSerializer.Deserialize(json, typeInfo);
            return value is null ? (null, new ApiError(ErrorCodes.DataFormatError)) : (value, null);
        }
        catch (JsonException)
        {
            return (null, new ApiError(ErrorCodes.DataFormatError));
        }
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
