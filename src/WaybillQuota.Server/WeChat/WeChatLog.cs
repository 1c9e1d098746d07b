namespace WaybillQuota.Server.WeChat;

/// <summary>
/// The request log of WeChat routes. The query string carries the access token (and the secret on
/// <c>/cgi-bin/token</c>), so only the path is ever logged; ASP.NET Core's own request-start log, which prints the
/// full URL, is filtered out in <c>Program</c>.
/// </summary>
public static partial class WeChatLog
{
    public static void Answered(HttpContext context, int errcode, string rid)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WaybillQuota.WeChat");
        Error(logger, context.Request.Method, context.Request.Path.Value ?? "", errcode, rid);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} answered errcode {Errcode} rid: {Rid}")]
    private static partial void Error(ILogger logger, string method, string path, int errcode, string rid);
}
