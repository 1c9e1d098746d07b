using Microsoft.AspNetCore.WebUtilities;

namespace WaybillQuota.Server.Tokens;

/// <summary>
/// The access token of a call, read from the raw query string as <c>Request.Query</c> would read it, without building
/// the query dictionary (and the strings of every name and value) on each call.
/// <para>
/// Same rules as ASP.NET Core's query parsing: pairs split on <c>&amp;</c>, names matched case-insensitively after
/// decoding (<c>+</c> is a space, then percent-decoding), a name without <c>=</c> has an empty value, and a name given
/// several times has its non-empty values joined with commas (<c>StringValues</c>' string form). <c>access_token</c>
/// is taken first; when it is missing or empty, <c>authorizer_access_token</c>.
/// </para>
/// </summary>
public static class AccessTokenQuery
{
    public const string Name = "access_token";
    public const string AuthorizerName = "authorizer_access_token";

    /// <summary>The token text; empty when neither parameter has a value.</summary>
    public static ReadOnlySpan<char> Read(string? queryString)
    {
        var token = Value(queryString, Name);
        return token.IsEmpty ? Value(queryString, AuthorizerName) : token;
    }

    private static ReadOnlySpan<char> Value(string? queryString, string name)
    {
        ReadOnlySpan<char> first = default;
        string? joined = null;
        foreach (var pair in new QueryStringEnumerable(queryString))
        {
            if (!Decode(pair.EncodedName.Span).Equals(name, StringComparison.OrdinalIgnoreCase)) continue;
            var value = Decode(pair.EncodedValue.Span);
            if (value.IsEmpty) continue;
            if (first.IsEmpty) first = value;
            else joined = string.Concat(joined is null ? first : joined, ",", value);
        }
        return joined is null ? first : joined;
    }

    // Nearly every name and token is plain text: then the span is the decoded text, and nothing is allocated.
    private static ReadOnlySpan<char> Decode(ReadOnlySpan<char> encoded) =>
        encoded.IndexOfAny('%', '+') < 0 ? encoded : Uri.UnescapeDataString(encoded.ToString().Replace('+', ' '));
}
