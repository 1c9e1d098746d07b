using System.Net;
using System.Text.RegularExpressions;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client;

/// <summary>
/// A WeChat API call answered an error envelope (<c>{"errcode":N,"errmsg":"text rid: ..."}</c>), or could not be
/// completed at all (network fault, timeout, non-200 answer: then <see cref="ErrorCode"/> is
/// <see cref="ErrorCodes.SystemError"/> and <see cref="HttpStatusCode"/> or <see cref="Exception.InnerException"/>
/// says why). The errcode constants are in <see cref="ErrorCodes"/>.
/// </summary>
public sealed partial class WeChatApiException : Exception
{
    /// <summary>Creates the exception for an error envelope.</summary>
    /// <param name="errorCode">The <c>errcode</c>.</param>
    /// <param name="rawErrorMessage">The <c>errmsg</c> as received, with its rid suffix if any.</param>
    /// <param name="api">The API that failed, for example <c>getQuota</c>.</param>
    public WeChatApiException(int errorCode, string rawErrorMessage, string? api = null)
        : this(errorCode, rawErrorMessage, api, null, null)
    {
    }

    /// <summary>Creates the exception for an envelope or a transport failure.</summary>
    /// <param name="errorCode">The <c>errcode</c>.</param>
    /// <param name="rawErrorMessage">The <c>errmsg</c> as received, with its rid suffix if any.</param>
    /// <param name="api">The API that failed, for example <c>getQuota</c>.</param>
    /// <param name="httpStatusCode">The HTTP status when it was not 200.</param>
    /// <param name="innerException">The transport failure, if any.</param>
    public WeChatApiException(int errorCode, string rawErrorMessage, string? api, HttpStatusCode? httpStatusCode,
        Exception? innerException)
        : base(FormatMessage(errorCode, rawErrorMessage, api), innerException)
    {
        ErrorCode = errorCode;
        RawErrorMessage = rawErrorMessage ?? "";
        (ErrorMessage, Rid) = SplitRid(RawErrorMessage);
        Api = api;
        HttpStatusCode = httpStatusCode;
    }

    /// <summary>The <c>errcode</c>; see <see cref="ErrorCodes"/>.</summary>
    public int ErrorCode { get; }

    /// <summary>The <c>errmsg</c> text without its <c>rid: ...</c> suffix, e.g. <c>bizid not bind</c>.</summary>
    public string ErrorMessage { get; }

    /// <summary>The <c>errmsg</c> exactly as received.</summary>
    public string RawErrorMessage { get; }

    /// <summary>The request id from the errmsg (<c>xxxxxxxx-xxxxxxxx-xxxxxxxx</c>), to quote to the operator; null when absent.</summary>
    public string? Rid { get; }

    /// <summary>The API that failed, e.g. <c>getQuota</c>.</summary>
    public string? Api { get; }

    /// <summary>The HTTP status when the answer was not 200 (an infrastructure failure).</summary>
    public HttpStatusCode? HttpStatusCode { get; }

    /// <summary>The carrier's result code, when the envelope carries <c>delivery_resultcode</c> (errcode 9300501).</summary>
    public int? DeliveryResultCode { get; init; }

    /// <summary>The carrier's result text, when the envelope carries <c>delivery_resultmsg</c>.</summary>
    public string? DeliveryResultMessage { get; init; }

    /// <summary>Whether the same call may succeed if repeated unchanged (<see cref="ErrorCodes.IsTransient"/>).</summary>
    public bool IsTransient => ErrorCodes.IsTransient(ErrorCode);

    /// <summary>Whether the access token was refused (40001, 40014, 42001).</summary>
    public bool IsTokenRejected => ErrorCodes.IsTokenRejected(ErrorCode);

    internal static (string Text, string? Rid) SplitRid(string raw)
    {
        var match = RidPattern().Match(raw);
        return match.Success ? (raw[..match.Index], match.Groups[1].Value) : (raw, null);
    }

    private static string FormatMessage(int code, string raw, string? api) =>
        api is null ? $"WeChat API error {code}: {raw}" : $"WeChat API {api} failed with errcode {code}: {raw}";

    [GeneratedRegex(@" ?rid: ?(\S+)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex RidPattern();
}
