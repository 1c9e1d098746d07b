using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client.Cloud;

/// <summary>
/// The cloud SDK, shaped like wx-server-sdk: <c>var cloud = WxCloud.Init();</c> then
/// <c>await cloud.OpenApi.Logistics.GetQuotaAsync(new() { DeliveryId = "YTO", BizId = "xyz" })</c>. A call needs no
/// access token: the server knows the function by its environment's credential and name, and allows what the
/// function's config.json declares. Thread-safe; create one per function and keep it.
/// </summary>
public sealed class WxCloud : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    private WxCloud(CloudOptions options, HttpClient http, bool ownsHttp)
    {
        Options = options;
        _http = http;
        _ownsHttp = ownsHttp;
        OpenApi = new CloudOpenApi(new CloudLogistics(this));
    }

    /// <summary>The settings this instance calls with (a copy; changing the original changes nothing).</summary>
    public CloudOptions Options { get; }

    /// <summary>The open APIs, like <c>cloud.openapi</c>.</summary>
    public CloudOpenApi OpenApi { get; }

    /// <summary>Like <c>cloud.init()</c>: settings from the function's environment variables (<see cref="CloudOptions.FromEnvironment"/>).</summary>
    /// <returns>The SDK.</returns>
    public static WxCloud Init() => Init(CloudOptions.FromEnvironment());

    /// <summary>Like <c>cloud.init({...})</c>, with explicit settings.</summary>
    /// <param name="options">Validated and copied.</param>
    /// <param name="handler">The HTTP handler to send with (tests, proxies); default a new <see cref="SocketsHttpHandler"/>.</param>
    /// <returns>The SDK.</returns>
    public static WxCloud Init(CloudOptions options, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var settings = options.Clone();
        var http = handler is null
            ? new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
            : new HttpClient(handler, disposeHandler: false);
        http.BaseAddress = settings.BaseAddress;
        http.Timeout = settings.Timeout;
        return new WxCloud(settings, http, ownsHttp: true);
    }

    /// <summary>Sends one cloud call and answers its result, or throws <see cref="CloudCallException"/>.</summary>
    internal async Task<TResult> CallAsync<TRequest, TResult>(string method, TRequest? request, JsonTypeInfo<TRequest>? requestType,
        JsonTypeInfo<TResult> resultType, CancellationToken cancellationToken)
        where TRequest : class
        where TResult : class
    {
        var body = request is null || requestType is null ? "{}" : JsonSerializer.Serialize(request, requestType);
        using var message = new HttpRequestMessage(HttpMethod.Post, $"tcb/openapi/logistics/{method}")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        message.Headers.TryAddWithoutValidation("X-Cloud-Env", Options.Env);
        message.Headers.TryAddWithoutValidation("X-Cloud-Function", Options.FunctionName);
        message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + Options.Credential);

        byte[] payload;
        try
        {
            using var response = await _http.SendAsync(message, cancellationToken).ConfigureAwait(false);
            payload = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
                throw new CloudCallException(ErrorCodes.SystemError, $"openapi.logistics.{method}:fail system error", method, response.StatusCode);
        }
        catch (HttpRequestException e)
        {
            throw new CloudCallException(ErrorCodes.SystemError, $"openapi.logistics.{method}:fail system error", method, null, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            // HttpClient reports its own timeout as a cancellation; the caller did not cancel, so it is a failed call.
            throw new CloudCallException(ErrorCodes.SystemError, $"openapi.logistics.{method}:fail system error (timeout)", method, null, e);
        }

        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new CloudCallException(ErrorCodes.SystemError, $"openapi.logistics.{method}:fail system error", method);
            // Success answers of bind and cancel carry errCode 0 too; only a non-zero errCode is a failure.
            if (root.TryGetProperty("errCode", out var code) && code.ValueKind == JsonValueKind.Number && code.GetInt32() != 0)
            {
                var text = root.TryGetProperty("errMsg", out var msg) && msg.ValueKind == JsonValueKind.String ? msg.GetString()! : "";
                throw new CloudCallException(code.GetInt32(), text, method);
            }
            return root.Deserialize(resultType)
                ?? throw new CloudCallException(ErrorCodes.SystemError, $"openapi.logistics.{method}:fail system error", method);
        }
        catch (JsonException e)
        {
            throw new CloudCallException(ErrorCodes.SystemError, $"openapi.logistics.{method}:fail system error", method, null, e);
        }
    }

    /// <summary>Releases the HTTP connection pool.</summary>
    public void Dispose()
    {
        if (_ownsHttp) _http.Dispose();
    }
}

/// <summary>The open-API families of a cloud function, like <c>cloud.openapi</c>.</summary>
public sealed class CloudOpenApi
{
    internal CloudOpenApi(CloudLogistics logistics) => Logistics = logistics;

    /// <summary><c>cloud.openapi.logistics</c>: the express-business APIs.</summary>
    public CloudLogistics Logistics { get; }
}
