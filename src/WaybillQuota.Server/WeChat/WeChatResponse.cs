using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using WaybillQuota.Contracts;

namespace WaybillQuota.Server.WeChat;

/// <summary>The one writer of WeChat answers: always HTTP 200, always the WeChat content type, errors with a rid.</summary>
public static class WeChatResponse
{
    /// <summary>WeChat's exact content type (the word is <c>encoding</c>, not <c>charset</c>).</summary>
    public const string ContentType = "application/json; encoding=utf-8";

    public static async Task WriteAsync<T>(HttpContext context, T body, JsonTypeInfo<T> typeInfo)
    {
        // Answers are small: serialized whole (into the serializer's pooled buffer), then sent with their length in
        // one write to the response pipe, with no stream adapter and no chunked encoding.
        var json = JsonSerializer.SerializeToUtf8Bytes(body, typeInfo);
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        response.ContentLength = json.Length;
        await response.BodyWriter.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>Writes <c>{"errcode":N,"errmsg":"text[ hint: [..]] rid: ..."}</c> and logs the rid with the request.</summary>
    public static Task WriteErrorAsync(HttpContext context, ApiError error)
    {
        var rid = RequestId.Get(context);
        WeChatLog.Answered(context, error.Code, rid);
        return WriteAsync(context, new WeChatStatus { ErrCode = error.Code, ErrMsg = error.FormatMessage(rid) },
            WeChatJsonContext.Wire.WeChatStatus);
    }
}

/// <summary>A WeChat error: its code, and optionally a hint or a message of its own (40164 names the IP).</summary>
public readonly record struct ApiError(int Code, string? Hint = null, string? Message = null)
{
    public string FormatMessage(string rid) => $"{Text} rid: {rid}";

    /// <summary>The errmsg without a rid: the form of an error nested in an answer (an item of batchGetOrder).</summary>
    public string Text
    {
        get
        {
            var text = Message ?? ErrorCodes.Message(Code);
            return Hint is null ? text : $"{text} hint: [{Hint}]";
        }
    }

    public static ApiError Required(string field) => new(ErrorCodes.DataFormatError, $"{field} is required");
    public static ApiError TooLong(string field, int maxBytes) => new(ErrorCodes.FieldLengthInvalid, $"{field} exceeds {maxBytes} bytes");
}

/// <summary>The outcome of one API call: a business answer or a WeChat error.</summary>
public readonly struct ApiResult<T>
{
    private ApiResult(T? value, ApiError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }
    public ApiError? Error { get; }

    public static implicit operator ApiResult<T>(T value) => new(value, null);
    public static implicit operator ApiResult<T>(ApiError error) => new(default, error);
}
