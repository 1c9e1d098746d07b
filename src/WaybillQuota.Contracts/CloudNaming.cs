using System.Text;
using System.Text.Json.Nodes;

namespace WaybillQuota.Contracts;

/// <summary>
/// The cloud-call form is the HTTP form with every key in lowerCamelCase, nested objects too
/// (<c>delivery_id</c> ↔ <c>deliveryId</c>, <c>errcode</c> ↔ <c>errCode</c>). These two functions are exact inverses
/// on every key of the contract, so one implementation of each API serves both wire forms.
/// </summary>
public static class CloudNaming
{
    /// <summary>Rewrites every object key of <paramref name="node"/> from snake_case to lowerCamelCase, in place.</summary>
    public static JsonNode? ToCamel(JsonNode? node) => Rekey(node, ToCamelKey);

    /// <summary>Rewrites every object key of <paramref name="node"/> from lowerCamelCase to snake_case, in place.</summary>
    public static JsonNode? ToSnake(JsonNode? node) => Rekey(node, ToSnakeKey);

    public static string ToCamelKey(string key)
    {
        if (key == "errcode") return "errCode";
        if (key == "errmsg") return "errMsg";
        if (!key.Contains('_', StringComparison.Ordinal)) return key;
        var sb = new StringBuilder(key.Length);
        var upper = false;
        foreach (var c in key)
        {
            if (c == '_') { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        return sb.ToString();
    }

    public static string ToSnakeKey(string key)
    {
        if (key == "errCode") return "errcode";
        if (key == "errMsg") return "errmsg";
        var sb = new StringBuilder(key.Length + 4);
        foreach (var c in key)
        {
            if (char.IsAsciiLetterUpper(c)) sb.Append('_').Append(char.ToLowerInvariant(c));
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static JsonNode? Rekey(JsonNode? node, Func<string, string> map)
    {
        switch (node)
        {
            case JsonObject obj:
                var pairs = obj.ToList();
                obj.Clear();
                foreach (var (key, value) in pairs)
                {
                    obj[map(key)] = Rekey(value, map);
                }
                return obj;
            case JsonArray array:
                foreach (var item in array) Rekey(item, map);
                return array;
            default:
                return node;
        }
    }
}
