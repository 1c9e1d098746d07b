using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace WaybillQuota.Client;

/// <summary>
/// Names of the client's telemetry, to subscribe with OpenTelemetry
/// (<c>AddSource(WaybillQuotaClientTelemetry.Name)</c>, <c>AddMeter(WaybillQuotaClientTelemetry.Name)</c>).
/// Activities and measurements carry the API name, the appid and the errcode, never a token or a secret.
/// </summary>
public static class WaybillQuotaClientTelemetry
{
    /// <summary>Name of the <see cref="ActivitySource"/> and of the <see cref="Meter"/>: <c>WaybillQuota.Client</c>.</summary>
    public const string Name = "WaybillQuota.Client";

    /// <summary>Counter of API calls, tagged <c>api</c>, <c>appid</c> and <c>errcode</c> (0 on success).</summary>
    public const string CallsInstrument = "waybillquota.client.calls";

    /// <summary>Counter of failed API calls, tagged <c>api</c>, <c>appid</c> and <c>errcode</c>.</summary>
    public const string ErrorsInstrument = "waybillquota.client.errors";

    /// <summary>Counter of token fetches from the token API, tagged <c>appid</c>, <c>mode</c> and <c>errcode</c>.</summary>
    public const string TokenFetchesInstrument = "waybillquota.client.token.fetches";

    /// <summary>Histogram of call durations in seconds, tagged <c>api</c> and <c>errcode</c>.</summary>
    public const string DurationInstrument = "waybillquota.client.call.duration";

    internal static readonly ActivitySource ActivitySource = new(Name, typeof(WaybillQuotaClientTelemetry).Assembly.GetName().Version?.ToString());
}

/// <summary>The client's instruments, created from an <see cref="IMeterFactory"/> when there is one.</summary>
internal sealed class ClientMetrics
{
    private static readonly Lazy<ClientMetrics> Shared = new(() => new ClientMetrics(null));

    public ClientMetrics(IMeterFactory? meterFactory)
    {
        var meter = meterFactory?.Create(WaybillQuotaClientTelemetry.Name) ?? new Meter(WaybillQuotaClientTelemetry.Name);
        Calls = meter.CreateCounter<long>(WaybillQuotaClientTelemetry.CallsInstrument, "{call}", "WeChat API calls");
        Errors = meter.CreateCounter<long>(WaybillQuotaClientTelemetry.ErrorsInstrument, "{call}", "WeChat API calls that failed, by errcode");
        TokenFetches = meter.CreateCounter<long>(WaybillQuotaClientTelemetry.TokenFetchesInstrument, "{fetch}", "Access token fetches");
        Duration = meter.CreateHistogram<double>(WaybillQuotaClientTelemetry.DurationInstrument, "s", "WeChat API call duration");
    }

    /// <summary>Instruments for code built without dependency injection, one set per process.</summary>
    public static ClientMetrics Default => Shared.Value;

    public Counter<long> Calls { get; }

    public Counter<long> Errors { get; }

    public Counter<long> TokenFetches { get; }

    public Histogram<double> Duration { get; }
}
