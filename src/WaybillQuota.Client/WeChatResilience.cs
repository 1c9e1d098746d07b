using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client;

/// <summary>
/// Retry with exponential backoff of network faults, 5xx/408/429 answers and 200 answers whose errcode is transient
/// (<see cref="ErrorCodes.IsTransient"/>), then a per-attempt timeout. Every WeChat call is safe to repeat unchanged:
/// reads trivially, and addOrder because the server answers an identical retry with the original waybill.
/// </summary>
internal static class WeChatResilience
{
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, WaybillQuotaClientOptions options)
    {
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryBaseDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldRetryAfterHeader = true,
                ShouldHandle = static args => ShouldRetryAsync(args.Outcome, args.Context.CancellationToken),
            });
        }

        builder.AddTimeout(options.AttemptTimeout);
    }

    internal static async ValueTask<bool> ShouldRetryAsync(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException
                || (outcome.Exception is OperationCanceledException && !cancellationToken.IsCancellationRequested);
        }

        var response = outcome.Result;
        if (response is null) return false;
        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests) return true;
        if (response.StatusCode != HttpStatusCode.OK) return false;

        // WeChat reports "system error" and friends inside a 200: look at the errcode. Buffering keeps the
        // body readable for the caller when the answer is not retried.
        await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        return WeChatEnvelope.TryRead(body, out var envelope) && envelope.IsError && ErrorCodes.IsTransient(envelope.ErrCode);
    }
}
