using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace WaybillQuota.Client.Tests.Infrastructure;

/// <summary>
/// An in-memory stand-in for the WeChat API, for unit tests of token and retry behaviour that need a fake clock.
/// Tests against the real server use <see cref="ServerFixture"/> instead.
/// </summary>
internal sealed class FakeWeChatHandler(Func<FakeWeChatHandler.Call, string> respond) : HttpMessageHandler
{
    private int _tokenFetches;

    public sealed record Call(HttpMethod Method, string Path, string? AccessToken, string Body, int TokenFetchNumber);

    public ConcurrentQueue<Call> Calls { get; } = new();

    public int TokenFetches => Volatile.Read(ref _tokenFetches);

    /// <summary>The HTTP status of API answers (token answers are always 200); default 200.</summary>
    public Func<Call, HttpStatusCode> Status { get; init; } = _ => HttpStatusCode.OK;

    public IEnumerable<Call> ApiCalls => Calls.Where(c => !c.Path.StartsWith("/cgi-bin/token", StringComparison.Ordinal)
        && !c.Path.StartsWith("/cgi-bin/stable_token", StringComparison.Ordinal));

    /// <summary>Answers token requests with <c>token-N</c> (N counting fetches) and everything else with <paramref name="respond"/>.</summary>
    public static FakeWeChatHandler WithTokens(Func<Call, string> respond, int expiresIn = 7200, Func<Call, HttpStatusCode>? status = null) =>
        new(call => call.TokenFetchNumber > 0
            ? $$"""{"access_token":"token-{{call.TokenFetchNumber}}","expires_in":{{expiresIn}}}"""
            : respond(call)) { Status = status ?? (_ => HttpStatusCode.OK) };

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
        var isToken = uri.AbsolutePath is "/cgi-bin/token" or "/cgi-bin/stable_token";
        var number = isToken ? Interlocked.Increment(ref _tokenFetches) : 0;
        var token = System.Web.HttpUtility.ParseQueryString(uri.Query)["access_token"];
        var call = new Call(request.Method, uri.AbsolutePath, token, body, number);
        Calls.Enqueue(call);
        return new HttpResponseMessage(isToken ? HttpStatusCode.OK : Status(call))
        {
            Content = new StringContent(respond(call), Encoding.UTF8, "application/json"),
        };
    }
}
