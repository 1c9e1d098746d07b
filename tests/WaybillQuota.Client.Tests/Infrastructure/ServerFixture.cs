using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using WaybillQuota.Server;

[assembly: AssemblyFixture(typeof(WaybillQuota.Client.Tests.Infrastructure.ServerFixture))]

namespace WaybillQuota.Client.Tests.Infrastructure;

/// <summary>
/// The real WaybillQuota server, started once for the test assembly through its public entry
/// (<see cref="ServerSetup.Build"/>) on a free 127.0.0.1 port, with a temp SQLite data folder and a known operator
/// key. Tests isolate themselves by creating their own apps and accounts through the operator API.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "waybillquota-client-tests-" + Guid.NewGuid().ToString("N"));
    private WebApplication? _app;
    private HttpClient? _operator;

    public Uri BaseAddress { get; private set; } = null!;

    public string OperatorKey { get; } = "op-" + Guid.NewGuid().ToString("N");

    /// <summary>The demo app the server seeded (YTO/xyz with 210 waybills bound to it).</summary>
    public string DemoAppId { get; private set; } = "";

    public string DemoSecret { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        Directory.CreateDirectory(_dataDir);
        _app = ServerSetup.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--Storage:SqlitePath=" + Path.Combine(_dataDir, "waybillquota.db"),
            "--Demo:CredentialsPath=" + Path.Combine(_dataDir, "demo-credentials.json"),
            "--Operator:Key=" + OperatorKey,
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");

        using var demo = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(_dataDir, "demo-credentials.json")));
        DemoAppId = demo.RootElement.GetProperty("appid").GetString()!;
        DemoSecret = demo.RootElement.GetProperty("secret").GetString()!;

        _operator = new HttpClient { BaseAddress = BaseAddress };
        _operator.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorKey);
    }

    public async ValueTask DisposeAsync()
    {
        _operator?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open only leaves a temp folder behind.
        }
    }

    /// <summary>Client options for an app on this server, with fast retries.</summary>
    public WaybillQuotaClientOptions Options(string appId, string secret) => new()
    {
        BaseAddress = BaseAddress,
        AppId = appId,
        Secret = secret,
        RetryBaseDelay = TimeSpan.FromMilliseconds(1),
    };

    /// <summary>A new app of its own, through the operator API.</summary>
    public async Task<(string AppId, string Secret)> CreateAppAsync(CancellationToken cancellationToken)
    {
        using var response = await _operator!.PostAsJsonAsync("ops/v1/apps", new JsonObject { ["name"] = "test-" + Guid.NewGuid().ToString("N")[..8] },
            cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonObject>(cancellationToken);
        return (body!["appid"]!.GetValue<string>(), body["secret"]!.GetValue<string>());
    }

    /// <summary>A new carrier account at <paramref name="deliveryId"/> with <paramref name="waybills"/> credited; returns its biz_id.</summary>
    public async Task<string> CreateAccountAsync(string deliveryId, string password, int waybills, CancellationToken cancellationToken)
    {
        var bizId = "biz" + Guid.NewGuid().ToString("N")[..12];
        using (var created = await _operator!.PostAsJsonAsync("ops/v1/accounts",
            new JsonObject { ["delivery_id"] = deliveryId, ["biz_id"] = bizId, ["password"] = password }, cancellationToken))
        {
            created.EnsureSuccessStatusCode();
        }

        if (waybills > 0)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"ops/v1/accounts/{deliveryId}/{bizId}/credits")
            {
                Content = JsonContent.Create(new JsonObject { ["amount"] = waybills, ["note"] = "test" }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            using var credited = await _operator!.SendAsync(request, cancellationToken);
            credited.EnsureSuccessStatusCode();
        }

        return bizId;
    }
}
