namespace WaybillQuota.Client.Tests.Infrastructure;

/// <summary>A real socket handler that counts token fetches on their way to the server.</summary>
internal sealed class CountingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private int _tokenFetches;
    private int _requests;

    public int TokenFetches => Volatile.Read(ref _tokenFetches);

    public int Requests => Volatile.Read(ref _requests);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _requests);
        if (request.RequestUri!.AbsolutePath is "/cgi-bin/token" or "/cgi-bin/stable_token") Interlocked.Increment(ref _tokenFetches);
        return base.SendAsync(request, cancellationToken);
    }
}
