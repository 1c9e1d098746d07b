using WaybillQuota.Server.Operator;

namespace WaybillQuota.Server.CloudCall;

/// <summary>What the cloud-call feature registers and maps; called from <see cref="ServerSetup"/>.</summary>
public static class CloudCallSetup
{
    public static IServiceCollection AddCloudCall(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CloudCallOptions>().Bind(configuration.GetSection(CloudCallOptions.Section)).ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<CloudDirectory>();
        services.AddSingleton<CloudAdmin>();
        // Registered after the store's start-up service, so it runs once the schema is migrated.
        services.AddHostedService<CloudStartup>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, CloudJsonContext.Default));
        return services;
    }

    public static WebApplication MapCloudCall(this WebApplication app, RouteGroupBuilder operatorGroup)
    {
        app.MapCloudGateway();
        operatorGroup.MapCloudOperator();
        return app;
    }
}
