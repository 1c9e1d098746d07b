using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Polly.Timeout;
using WaybillQuota.Contracts;

namespace WaybillQuota.Client;

/// <summary>The one place that sends a WeChat request and turns its answer into a value or a <see cref="WeChatApiException"/>.</summary>
internal static class WeChatHttp
{
    private static readonly MediaTypeHeaderValue JsonContentType = new("application/json") { CharSet = "utf-8" };

    public static byte[] Serialize<T>(T body, JsonTypeInfo<T> typeInfo) => JsonSerializer.SerializeToUtf8Bytes(body, typeInfo);

    /// <summary>Sends and returns the body of a 200 answer; transport failures become <see cref="WeChatApiException"/>.</summary>
    public static async Task<byte[]> SendAsync(HttpClient http, HttpMethod method, string relativeUri, byte[]? jsonBody,
        string api, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(relativeUri, UriKind.Relative));
        if (jsonBody is not null)
        {
            // Bytes, not a stream, so the retry strategy can send the same request again.
            request.Content = new ByteArrayContent(jsonBody) { Headers = { ContentType = JsonContentType } };
        }

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken)
                .ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                // The message never carries the request URI: it holds the access token or the secret.
                throw new WeChatApiException(ErrorCodes.SystemError,
                    $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}".TrimEnd(), api, response.StatusCode, null);
            }

            return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new WeChatApiException(ErrorCodes.SystemError, $"network error: {ex.HttpRequestError}", api, null, ex);
        }
        catch (TimeoutRejectedException ex)
        {
            throw new WeChatApiException(ErrorCodes.SystemError, "timeout", api, null, ex);
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new WeChatApiException(ErrorCodes.SystemError, "timeout", api, null, ex);
        }
    }

    /// <summary>Throws for an error envelope, else deserializes the answer.</summary>
    public static T Read<T>(byte[] body, JsonTypeInfo<T> typeInfo, string api)
    {
        if (!WeChatEnvelope.TryRead(body, out var envelope))
            throw new WeChatApiException(ErrorCodes.SystemError, "invalid response: not a JSON object", api);
        if (envelope.IsError) throw envelope.ToException(api);
        try
        {
            return JsonSerializer.Deserialize(body, typeInfo)
                ?? throw new WeChatApiException(ErrorCodes.SystemError, "invalid response: null", api);
        }
        catch (JsonException ex)
        {
            throw new WeChatApiException(ErrorCodes.SystemError, "invalid response: " + ex.Message, api, null, ex);
        }
    }
}
