using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using WaybillQuota.Server.Demo;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.Tests.Infrastructure;

public sealed class ServerHostOptions
{
    public IStoreEngine Engine { get; set; } = SqliteEngine.Instance;

    /// <summary>Folder of the SQLite file and the demo credentials; a new temp folder when null.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>Storage configuration to reuse (to restart on the same database); a new database when null.</summary>
    public IReadOnlyDictionary<string, string?>? Storage { get; set; }

    /// <summary>The clock; tests move it. Starts at 2026-03-01T00:00:00Z.</summary>
    public FakeTimeProvider Time { get; set; } = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>More configuration, e.g. <c>["Tokens:ClassicDailyLimit"] = "3"</c>.</summary>
    public Dictionary<string, string?> Settings { get; } = [];

    public bool Demo { get; set; } = true;
}

/// <summary>
/// The real server, in this process, on real Kestrel listening on a free 127.0.0.1 port, with a real database, a fake
/// clock and a captured log. Tests talk to it with raw HTTP through <see cref="Http"/>.
/// </summary>
public sealed class ServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsDirectory;

    private ServerHost(WebApplication app, ServerHostOptions options, IReadOnlyDictionary<string, string?> storage, Uri baseAddress,
        bool ownsDirectory, CapturedLog log)
    {
        _app = app;
        _ownsDirectory = ownsDirectory;
        Options = options;
        Storage = storage;
        BaseAddress = baseAddress;
        Log = log;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public ServerHostOptions Options { get; }
    public IReadOnlyDictionary<string, string?> Storage { get; }
    public Uri BaseAddress { get; }
    public HttpClient Http { get; }
    public CapturedLog Log { get; }
    public FakeTimeProvider Time => Options.Time;
    public IServiceProvider Services => _app.Services;
    public IWaybillStore Store => _app.Services.GetRequiredService<IWaybillStore>();
    public string DataDirectory => Options.DataDirectory!;

    /// <summary>The demo's credentials, as the first start printed them.</summary>
    public DemoCredentials Demo => JsonSerializer.Deserialize(File.ReadAllText(Path.Combine(DataDirectory, "demo-credentials.json")),
        DemoJsonContext.Default.DemoCredentials)!;

    public static async Task<ServerHost> StartAsync(ServerHostOptions options, CancellationToken cancellationToken)
    {
        var ownsDirectory = options.DataDirectory is null;
        options.DataDirectory ??= Directory.CreateTempSubdirectory("waybillquota-test-").FullName;
        var storage = options.Storage ?? await options.Engine.CreateDatabaseAsync(options.DataDirectory, cancellationToken);
        var log = new CapturedLog();

        var app = ServerSetup.Build(["--urls", "http://127.0.0.1:0", "--environment", "Testing"], builder =>
        {
            var settings = new Dictionary<string, string?>(storage)
            {
                ["Demo:Enabled"] = options.Demo ? "true" : "false",
                ["Demo:CredentialsPath"] = Path.Combine(options.DataDirectory, "demo-credentials.json"),
            };
            foreach (var (key, value) in options.Settings) settings[key] = value;
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddSingleton<TimeProvider>(options.Time);
            builder.Logging.ClearProviders();
            builder.Logging.SetMinimumLevel(LogLevel.Debug);
            builder.Logging.AddProvider(log);
        });
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServerHost(app, options, storage, new Uri(address), ownsDirectory, log);
    }

    /// <summary>Stops this server and starts a new one on the same database and clock.</summary>
    public async Task<ServerHost> RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync();
        var options = new ServerHostOptions
        {
            Engine = Options.Engine,
            DataDirectory = Options.DataDirectory,
            Storage = Storage,
            Time = Options.Time,
            Demo = Options.Demo,
        };
        foreach (var (key, value) in Options.Settings) options.Settings[key] = value;
        var restarted = await StartAsync(options, cancellationToken);
        return restarted;
    }

    private bool _stopped;

    private async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsDirectory)
        {
            try { Directory.Delete(DataDirectory, recursive: true); }
            catch (IOException) { /* a file still open by the OS; the temp folder is cleaned later */ }
        }
    }

    // ---- raw HTTP helpers ----

    public async Task<WireResponse> SendAsync(HttpMethod method, string pathAndQuery, string? body = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (headers is not null)
        {
            foreach (var (k, v) in headers) request.Headers.TryAddWithoutValidation(k, v);
        }
        using var response = await Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new WireResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), text, response.Headers);
    }

    public Task<WireResponse> PostAsync(string pathAndQuery, string? body) => SendAsync(HttpMethod.Post, pathAndQuery, body);

    public Task<WireResponse> GetAsync(string pathAndQuery) => SendAsync(HttpMethod.Get, pathAndQuery);

    /// <summary>A new classic access token of the demo app.</summary>
    public async Task<string> DemoTokenAsync()
    {
        var demo = Demo;
        var r = await GetAsync($"/cgi-bin/token?grant_type=client_credential&appid={demo.Appid}&secret={demo.Secret}");
        return r.Json["access_token"]!.GetValue<string>();
    }

    /// <summary>A call of an operator route with the demo's operator key.</summary>
    public Task<WireResponse> OperatorAsync(HttpMethod method, string path, string? body = null, string? idempotencyKey = null)
    {
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {Demo.OperatorKey}" };
        if (idempotencyKey is not null) headers["Idempotency-Key"] = idempotencyKey;
        return SendAsync(method, path, body, headers);
    }
}

public sealed record WireResponse(int Status, string? ContentType, string Body, HttpResponseHeaders Headers)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("The body is JSON null.");

    public int ErrCode => Json["errcode"]?.GetValue<int>() ?? 0;

    public string ErrMsg => Json["errmsg"]?.GetValue<string>() ?? "";
}

/// <summary>Every log line the server wrote, formatted with its arguments, to check what never appears in them.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public string All => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose() { }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception,
            Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
