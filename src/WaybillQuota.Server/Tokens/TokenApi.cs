using WaybillQuota.Contracts;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Tokens;

public static class TokenApi
{
    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        app.MapMethods("/cgi-bin/token", [HttpMethods.Get, HttpMethods.Post], ClassicAsync).ExcludeFromDescription();
        app.MapMethods("/cgi-bin/stable_token", [HttpMethods.Get, HttpMethods.Post], StableAsync).ExcludeFromDescription();
        return app;
    }

    public static async Task ClassicAsync(HttpContext context, TokenService tokens)
    {
        if (!HttpMethods.IsGet(context.Request.Method))
        {
            await WeChatResponse.WriteErrorAsync(context, new ApiError(ErrorCodes.RequireGet));
            return;
        }
        var q = context.Request.Query;
        var result = await tokens.IssueClassicAsync(q["grant_type"], q["appid"], q["secret"], context.RequestAborted);
        await WriteAsync(context, result);
    }

    public static async Task StableAsync(HttpContext context, TokenService tokens)
    {
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            await WeChatResponse.WriteErrorAsync(context, new ApiError(ErrorCodes.RequirePost));
            return;
        }
        var (request, error) = await WeChatBody.ReadAsync(context, WeChatJsonContext.Wire.StableTokenRequest);
        if (error is { } bodyError)
        {
            await WeChatResponse.WriteErrorAsync(context, bodyError);
            return;
        }
        await WriteAsync(context, await tokens.IssueStableAsync(request!, context.RequestAborted));
    }

    private static Task WriteAsync(HttpContext context, ApiResult<AccessTokenResponse> result) =>
        result.Error is { } error
            ? WeChatResponse.WriteErrorAsync(context, error)
            : WeChatResponse.WriteAsync(context, result.Value!, WeChatJsonContext.Wire.AccessTokenResponse);
}
