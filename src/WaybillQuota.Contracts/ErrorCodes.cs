namespace WaybillQuota.Contracts;

/// <summary>
/// Every WeChat errcode this system answers or understands, with its errmsg text verbatim.
/// This is the one place that says what a code means; the server writes these texts and the client reads them.
/// </summary>
public static class ErrorCodes
{
    public const int Ok = 0;
    public const int SystemError = -1;
    public const int InvalidCredential = 40001;
    public const int InvalidGrantType = 40002;
    public const int InvalidAppId = 40013;
    public const int InvalidAccessToken = 40014;
    public const int InvalidAppSecret = 40125;
    public const int InvalidIp = 40164;
    public const int AccessTokenMissing = 41001;
    public const int AppIdMissing = 41002;
    public const int AppSecretMissing = 41004;
    public const int AccessTokenExpired = 42001;
    public const int RequireGet = 43001;
    public const int RequirePost = 43002;
    public const int EmptyPostData = 44002;
    public const int DailyQuotaReached = 45009;
    public const int MinuteQuotaReached = 45011;
    public const int DataFormatError = 47001;
    public const int ApiUnauthorized = 48001;

    public const int DeliveryLogicFail = 9300501;
    public const int DeliverySystemError = 9300502;
    public const int DeliveryIdNotExist = 9300503;
    public const int WaybillHasTrack = 9300506;
    public const int OrderIdUsed = 9300508;
    public const int InvalidServiceType = 9300510;
    public const int OutOfQuota = 9300513;
    public const int WaybillGenerating = 9300521;
    public const int OrderIdRepeated = 9300522;
    public const int QuotaNotEnough = 9300523;
    public const int OrderCancelled = 9300524;
    public const int BizIdNotBound = 9300525;
    public const int FieldLengthInvalid = 9300526;
    public const int DeliveryNoQuota = 9300527;
    public const int AccountAlreadyBound = 9300529;
    public const int BizIdToUnbindNotExist = 9300530;
    public const int BizIdOrPasswordInvalid = 9300531;
    public const int BindUnderReview = 9300532;

    /// <summary>Cloud call: the calling function's config.json does not declare the API.</summary>
    public const int CloudPermissionDenied = -604101;

    /// <summary>The errmsg text WeChat sends for <paramref name="code"/> (without the rid suffix).</summary>
    public static string Message(int code) => code switch
    {
        Ok => "ok",
        SystemError => "system error",
        InvalidCredential => "invalid credential, access_token is invalid or not latest",
        InvalidGrantType => "invalid grant_type",
        InvalidAppId => "invalid appid",
        InvalidAccessToken => "invalid access_token",
        InvalidAppSecret => "invalid appsecret",
        InvalidIp => "invalid ip",
        AccessTokenMissing => "access_token missing",
        AppIdMissing => "appid missing",
        AppSecretMissing => "appsecret missing",
        AccessTokenExpired => "access_token expired",
        RequireGet => "require GET method",
        RequirePost => "require POST method",
        EmptyPostData => "empty post data",
        DailyQuotaReached => "reach max api daily quota limit",
        MinuteQuotaReached => "api minute-quota reach limit must slower retry next minute",
        DataFormatError => "data format error",
        ApiUnauthorized => "api unauthorized",
        DeliveryLogicFail => "delivery logic fail",
        DeliverySystemError => "delivery system error",
        DeliveryIdNotExist => "delivery_id not exist",
        WaybillHasTrack => "waybill has track, can not cancel",
        OrderIdUsed => "order id has been used",
        InvalidServiceType => "invalid service type",
        OutOfQuota => "out of quota",
        WaybillGenerating => "the orderid is in our system, and waybill is generating",
        OrderIdRepeated => "this orderid is repeated",
        QuotaNotEnough => "quota is not enough; go to charge please",
        OrderCancelled => "order has been cancelled",
        BizIdNotBound => "bizid not bind",
        FieldLengthInvalid => "field length invalid",
        DeliveryNoQuota => "delivery does not support quota",
        AccountAlreadyBound => "account has been bound",
        BizIdToUnbindNotExist => "bizid to unbind not exist",
        BizIdOrPasswordInvalid => "bizid or password invalid",
        BindUnderReview => "bind request submitted, waiting for review",
        CloudPermissionDenied => "system error: error code: -604101",
        _ => "system error",
    };

    /// <summary>
    /// Whether a call that failed with <paramref name="code"/> may succeed if repeated unchanged:
    /// system errors, the per-minute limit and the carrier being busy or generating the waybill.
    /// </summary>
    public static bool IsTransient(int code) => code is SystemError or MinuteQuotaReached
        or DeliverySystemError or WaybillGenerating;

    /// <summary>Token errors after which a fresh access token may make the same call succeed.</summary>
    public static bool IsTokenRejected(int code) => code is InvalidCredential or InvalidAccessToken or AccessTokenExpired;
}
