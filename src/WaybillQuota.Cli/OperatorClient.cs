using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace WaybillQuota.Cli;

/// <summary>The operator API (<c>/ops/v1</c>, Bearer operator key, RFC 9457 problem details on error).</summary>
internal sealed class OperatorClient(HttpClient http, string operatorKey)
{
    public async Task<JsonNode> SendAsync(HttpMethod method, string path, JsonObject? body, string? idempotencyKey,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", operatorKey);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new OperatorApiException(0, "network error", ex.Message);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? node = null;
            try
            {
                node = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                // Not JSON: reported below with the status.
            }

            if (!response.IsSuccessStatusCode)
            {
                var title = node?["title"]?.GetValue<string>() ?? response.ReasonPhrase ?? "error";
                var detail = node?["detail"]?.GetValue<string>();
                throw new OperatorApiException((int)response.StatusCode, title, detail);
            }

            return node ?? new JsonObject();
        }
    }
}

/// <summary>The operator API answered a problem.</summary>
internal sealed class OperatorApiException(int status, string title, string? detail)
    : Exception($"HTTP {status} {title}{(detail is null ? "" : ": " + detail)}")
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Detail { get; } = detail;
}
