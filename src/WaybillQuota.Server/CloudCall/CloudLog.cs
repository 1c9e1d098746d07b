namespace WaybillQuota.Server.CloudCall;

/// <summary>The cloud gateway's own log lines (never a credential: it travels in a header that is not logged).</summary>
public static partial class CloudLog
{
    public static void Denied(HttpContext context, string envId, string functionName, string method)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("WaybillQuota.CloudCall");
        PermissionDenied(logger, envId, functionName, method);
    }

    [LoggerMessage(EventId = 601, Level = LogLevel.Information,
        Message = "Cloud function {Env}/{Function} may not call logistics.{Method} (not in its config.json): -604101")]
    private static partial void PermissionDenied(ILogger logger, string env, string function, string method);
}
