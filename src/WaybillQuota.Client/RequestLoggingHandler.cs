using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace WaybillQuota.Client;

/// <summary>
/// Logs each HTTP attempt by method and path only. It replaces the HttpClient factory's loggers, which log the whole
/// URI: its query string holds the access token (and, at <c>/cgi-bin/token</c>, the secret).
/// </summary>
internal sealed class RequestLoggingHandler(ILogger logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : "(relative)";
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            logger.LogDebug("HTTP {Method} {Path} answered {StatusCode} in {ElapsedMs:0.0} ms",
                request.Method.Method, path, (int)response.StatusCode, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return response;
        }
        catch (HttpRequestException ex)
        {
            logger.LogDebug("HTTP {Method} {Path} failed after {ElapsedMs:0.0} ms: {Error}",
                request.Method.Method, path, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ex.HttpRequestError);
            throw;
        }
    }
}
