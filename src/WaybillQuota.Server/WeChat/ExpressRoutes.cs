using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.WeChat;

/// <summary>Serves each registered <see cref="IWeChatApi"/> as an HTTP route: token, budget, method, body, handler.</summary>
public static class ExpressRoutes
{
    public static IEndpointRouteBuilder MapWeChatApis(this IEndpointRouteBuilder app)
    {
        // Singletons, resolved once: the first use of HttpContext.RequestServices in a request creates a DI scope
        // (and disposes it at the end), which the hot path need not pay for.
        var tokens = app.ServiceProvider.GetRequiredService<TokenService>();
        var budget = app.ServiceProvider.GetRequiredService<CallBudget>();
        foreach (var api in app.ServiceProvider.GetServices<IWeChatApi>())
        {
            app.MapMethods(api.Path, [HttpMethods.Get, HttpMethods.Post], context => HandleAsync(context, api, tokens, budget))
                .ExcludeFromDescription();
        }
        return app;
    }

    // Token, budget, then the API; awaited only where a step did not finish at once (see WeChatApi.HandleHttpAsync).
    private static Task HandleAsync(HttpContext context, IWeChatApi api, TokenService tokens, CallBudget budget)
    {
        var authenticated = tokens.AuthenticateAsync(context);
        return authenticated.IsCompletedSuccessfully
            ? HandleAsync(context, api, budget, authenticated.Result)
            : AuthenticateThenHandleAsync(context, api, budget, authenticated);
    }

    private static async Task AuthenticateThenHandleAsync(HttpContext context, IWeChatApi api, CallBudget budget,
        ValueTask<(AppRecord? App, ApiError? Error)> authenticated) =>
        await HandleAsync(context, api, budget, await authenticated);

    private static Task HandleAsync(HttpContext context, IWeChatApi api, CallBudget budget, (AppRecord? App, ApiError? Error) caller)
    {
        var error = caller.Error ?? budget.TryConsume(caller.App!, api.CloudName);
        return error is { } e ? WeChatResponse.WriteErrorAsync(context, e) : api.HandleHttpAsync(context, caller.App!);
    }
}
