using System.Net;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Cloud;

/// <summary>
/// A cloud call failed: the server answered <c>{"errCode":N,"errMsg":"openapi.logistics.getQuota:fail ..."}</c>, as
/// wx-server-sdk rejects its promise; or the call could not be completed (then <see cref="ErrCode"/> is
/// <see cref="ErrorCodes.SystemError"/> and <see cref="HttpStatusCode"/> or <see cref="Exception.InnerException"/> says why).
/// </summary>
public sealed class CloudCallException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errCode">The <c>errCode</c>.</param>
    /// <param name="errMsg">The <c>errMsg</c> as received.</param>
    /// <param name="api">The API, e.g. <c>getQuota</c>.</param>
    /// <param name="httpStatusCode">The HTTP status when it was not 200.</param>
    /// <param name="innerException">The transport failure, if any.</param>
    public CloudCallException(int errCode, string errMsg, string api, HttpStatusCode? httpStatusCode = null, Exception? innerException = null)
        : base($"openapi.logistics.{api} failed with errCode {errCode}: {errMsg}", innerException)
    {
        ErrCode = errCode;
        ErrMsg = errMsg;
        Api = api;
        HttpStatusCode = httpStatusCode;
        var at = errMsg.LastIndexOf(" rid: ", StringComparison.Ordinal);
        Rid = at < 0 ? null : errMsg[(at + 6)..].Trim();
    }

    /// <summary>The <c>errCode</c>: a WeChat errcode (see <see cref="ErrorCodes"/>), or -604101 when the function's config.json does not declare the API.</summary>
    public int ErrCode { get; }

    /// <summary>The <c>errMsg</c> exactly as received, e.g. <c>openapi.logistics.getQuota:fail bizid not bind rid: ...</c>.</summary>
    public string ErrMsg { get; }

    /// <summary>The API that failed, e.g. <c>getQuota</c>.</summary>
    public string Api { get; }

    /// <summary>The request id at the end of <see cref="ErrMsg"/>, to quote to the operator; null when there is none.</summary>
    public string? Rid { get; }

    /// <summary>The HTTP status when the answer was not 200 (an infrastructure failure).</summary>
    public HttpStatusCode? HttpStatusCode { get; }

    /// <summary>Whether the same call may succeed if repeated unchanged.</summary>
    public bool IsTransient => ErrorCodes.IsTransient(ErrCode);

    /// <summary>Whether the function's config.json does not declare the API (-604101); a change takes up to 10 minutes to apply.</summary>
    public bool IsPermissionDenied => ErrCode == ErrorCodes.CloudPermissionDenied;
}
