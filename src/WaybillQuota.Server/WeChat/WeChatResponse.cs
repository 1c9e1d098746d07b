using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using WaybillQuota.Contracts;

namespace WaybillQuota.Server.WeChat;

/// <summary>The one writer of WeChat answers: always HTTP 200, always the WeChat content type, errors with a rid.</summary>
public static class WeChatResponse
{
    /// <summary>WeChat's exact content type (the word is <c>encoding</c>, not <c>charset</c>).</summary>
    public const string ContentType = "application/json; encoding=utf-8";

    public static Task WriteAsync<T>(HttpContext context, T body, JsonTypeInfo<T> typeInfo)
    {
        // Answers are small: serialized whole into this thread's buffer, then copied into the response pipe and sent
        // with their length, so there is no stream adapter, no chunked encoding, and nothing allocated per answer.
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var pipe = response.BodyWriter;
        AnswerBuffer.Write(body, typeInfo, (response, pipe), static (json, target) =>
        {
            target.response.ContentLength = json.Length;
            target.pipe.Write(json);
        });
        var flush = pipe.FlushAsync(context.RequestAborted);
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
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

/// <summary>
/// Serializes an answer into a per-thread buffer and hands the bytes to a callback, which must not keep them. The
/// writer has the writer options of <see cref="WeChatJsonContext.Wire"/>. Written bytes are zeroed after use: an
/// answer may carry an access token (<c>/cgi-bin/token</c>), which must not outlive its call in a buffer.
/// </summary>
internal static class AnswerBuffer
{
    // An unusually large answer (a batchGetOrder of many orders) is not kept for the rest of the thread's life.
    private const int KeptCapacity = 64 * 1024;

    private static readonly JsonWriterOptions WriterOptions = WriterOptionsOf(WeChatJsonContext.Wire.Options);

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static void Write<T, TState>(T value, JsonTypeInfo<T> typeInfo, TState state, ReadOnlySpanAction<byte, TState> use)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(256);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        try
        {
            JsonSerializer.Serialize(writer, value, typeInfo);
            writer.Flush();
            use(buffer.WrittenSpan, state);
        }
        finally
        {
            writer.Reset(buffer);
            buffer.Clear();
            if (buffer.Capacity > KeptCapacity) (t_buffer, t_writer) = (null, null);
        }
    }

    /// <summary>What the serializer's own writer would use with these options (it writes valid JSON, so unchecked).</summary>
    private static JsonWriterOptions WriterOptionsOf(JsonSerializerOptions options) => new()
    {
        Encoder = options.Encoder,
        Indented = options.WriteIndented,
        IndentCharacter = options.IndentCharacter,
        IndentSize = options.IndentSize,
        NewLine = options.NewLine,
        MaxDepth = options.MaxDepth,
        SkipValidation = true,
    };
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
