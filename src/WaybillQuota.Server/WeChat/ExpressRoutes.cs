using WaybillQuota.Server.Tokens;

namespace WaybillQuota.Server.WeChat;

/// <summary>Serves each registered <see cref="IWeChatApi"/> as an HTTP route: token, method, budget, body, handler.</summary>
public static class ExpressRoutes
{
    public static IEndpointRouteBuilder MapWeChatApis(this IEndpointRouteBuilder app)
    {
        foreach (var api in app.ServiceProvider.GetServices<IWeChatApi>())
        {
            app.MapMethods(api.Path, [HttpMethods.Get, HttpMethods.Post], context => HandleAsync(context, api))
                .ExcludeFromDescription();
        }
        return app;
    }

    private static async Task HandleAsync(HttpContext context, IWeChatApi api)
    {
        var tokens = context.RequestServices.GetRequiredService<TokenService>();
        var (app, error) = await tokens.AuthenticateAsync(context);
        if (error is null && context.RequestServices.GetRequiredService<CallBudget>().TryConsume(app!, api.CloudName) is { } limited)
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
