using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using WaybillQuota.Server.Accounts;
using WaybillQuota.Server.Carriers;
using WaybillQuota.Server.CloudCall;
using WaybillQuota.Server.Demo;
using WaybillQuota.Server.Operator;
using WaybillQuota.Server.Orders;
using WaybillQuota.Server.Quota;
using WaybillQuota.Server.Storage;
using WaybillQuota.Server.Tokens;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server;

/// <summary>The server's table of contents: what it registers, in what order it starts, what it maps.</summary>
public static class ServerSetup
{
    public const string DefaultUrl = "http://127.0.0.1:5080";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // The request-start log of ASP.NET Core prints the full URL, query string and access token included.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.AspNetCore.Routing", LogLevel.Warning);
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);

        AddWaybillQuota(builder.Services, builder.Configuration);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapWaybillQuota();
        return app;
    }

    public static IServiceCollection AddWaybillQuota(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<TokenOptions>().Bind(configuration.GetSection(TokenOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<WeChatOptions>().Bind(configuration.GetSection(WeChatOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OperatorOptions>().Bind(configuration.GetSection(OperatorOptions.Section));
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IWaybillStore>(sp => CreateStore(sp));
        services.AddSingleton<CarrierCatalog>();
        services.AddSingleton<CallBudget>();
        services.AddSingleton<TokenKey>();
        services.AddSingleton<TokenService>();
        services.AddSingleton<OperatorKeys>();
        services.AddSingleton<DemoSeeder>();
        services.AddHostedService<StartupService>();

        services.AddDeliveryApi();
        services.AddAccountApi();
        services.AddQuotaApi();
        services.AddOrderApi();
        services.AddCloudCall(configuration);

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, OperatorJsonContext.Default);
        });
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.ShouldInclude = d => d.RelativePath?.StartsWith("ops/", StringComparison.Ordinal) == true);
        services.AddHealthChecks();
        return services;
    }

    private static IWaybillStore CreateStore(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
        return options.Provider switch
        {
            StorageProvider.Sqlite => new SqliteWaybillStore(options, sp.GetRequiredService<ILogger<SqliteWaybillStore>>()),
            StorageProvider.Postgres => new PostgresWaybillStore(options, sp.GetRequiredService<ILogger<PostgresWaybillStore>>()),
            _ => throw new InvalidOperationException($"Storage provider {options.Provider} is not available in this build."),
        };
    }

    public static WebApplication MapWaybillQuota(this WebApplication app)
    {
        app.MapTokens();
        app.MapWeChatApis();
        app.MapCloudCall(app.MapOperator());
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapHealthChecks("/healthz");
        return app;
    }

    /// <summary>Brings the store up and seeds the demo before Kestrel starts listening; prints the demo banner once it does.</summary>
    private sealed class StartupService(IWaybillStore store, OperatorKeys operatorKeys, DemoSeeder demo, IServer server,
        IHostApplicationLifetime lifetime) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await store.InitializeAsync(cancellationToken);
            var credentials = await demo.SeedAsync(cancellationToken);
            // After the seed, which may have stored the demo's key here or (several instances) on another instance.
            await operatorKeys.LoadAsync(store, cancellationToken);
            if (credentials is null) return;
            lifetime.ApplicationStarted.Register(() =>
            {
                var url = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? DefaultUrl;
                Console.Out.Write(DemoSeeder.Banner(credentials, url.TrimEnd('/')));
            });
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
