using Microsoft.AspNetCore.Connections.Features;
using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.Tokens;

/// <summary>
/// The hash of the token in the query string of an HTTP/1 connection's last call that carried a well-formed token, so
/// that a client that repeats a call on a kept-alive connection (the usual case: one token serves two hours of calls)
/// does not have it hashed again.
/// </summary>
/// <remarks>
/// <para>
/// Kestrel hands a connection's request the previous request's query string object when the request target is the
/// same text (its string reuse, see <c>KestrelServerOptions.DisableStringReuse</c>). Strings do not change, so the same
/// object holds the same token, with the same hash; any other string is parsed and hashed as usual.
/// </para>
/// <para>
/// Only the hashing is saved: every call still looks the token up and checks it for rotation, expiry and the caller's
/// IP. The memo makes no copy of a token: it keeps a reference to a query string Kestrel made (which may outlive
/// Kestrel's own reference, until the next token on the connection or the connection's end).
/// </para>
/// </remarks>
internal sealed class QueryTokenMemo
{
    private static readonly object Key = new();

    // The query string and its token's hash change together, in one reference write.
    private Entry? _last;

    /// <summary>The connection's memo; none for HTTP/2 and later, whose calls share a connection at the same time.</summary>
    public static QueryTokenMemo? For(HttpContext context)
    {
        if (!HttpProtocol.IsHttp11(context.Request.Protocol) && !HttpProtocol.IsHttp10(context.Request.Protocol)) return null;
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is null) return null;
        if (items.TryGetValue(Key, out var existing)) return existing as QueryTokenMemo;
        var memo = new QueryTokenMemo();
        items[Key] = memo;
        return memo;
    }

    public bool TryGet(string? query, out TokenHash hash)
    {
        var last = _last;
        if (query is not null && last is not null && ReferenceEquals(query, last.Query))
        {
            hash = last.Hash;
            return true;
        }
        hash = default;
        return false;
    }

    public void Remember(string query, in TokenHash hash) => _last = new Entry(query, hash);

    private sealed record Entry(string Query, TokenHash Hash);
}
