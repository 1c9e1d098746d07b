using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.WeChat;

/// <summary>Serves each registered <see cref="IWeChatApi"/> as an HTTP route: token, method, budget, body, handler.</summary>
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

    private static async Task HandleAsync(HttpContext context, IWeChatApi api, TokenService tokens, CallBudget budget)
    {
        var (app, error) = await tokens.AuthenticateAsync(context);
        if (error is null && budget.TryConsume(app!, api.CloudName) is { } limited)
        {
            error = limited;
        }
        if (error is { } e)
        {
            await WeChatResponse.WriteErrorAsync(context, e);
            return;
        }
        await api.HandleHttpAsync(context, app!);
    }
}
