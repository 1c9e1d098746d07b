using System.Text.Json;
using System.Text.Json.Nodes;
using WaybillQuota.Server.WeChat;

namespace WaybillQuota.Server.Tests.Infrastructure;

/// <summary>The documentation's JSON in <c>../shared/spec/examples/</c> (beside the repository), and checks against it.</summary>
public static class Spec
{
    public static string ExamplesDirectory { get; } = FindExamples();

    private static string FindExamples()
    {
        if (Environment.GetEnvironmentVariable("WAYBILLQUOTA_SPEC_EXAMPLES") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "spec", "examples");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException("shared/spec/examples was not found above " + AppContext.BaseDirectory +
            "; set WAYBILLQUOTA_SPEC_EXAMPLES.");
    }

    public static string Text(string name) => File.ReadAllText(Path.Combine(ExamplesDirectory, name));

    public static JsonNode Json(string name) => JsonNode.Parse(Text(name))!;

    /// <summary>
    /// Same field names, same JSON types, same nesting (arrays: each element has the example's first element's shape).
    /// Values may differ: the server generates tokens, rids, ids and times.
    /// </summary>
    public static void AssertSameShape(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        Assert.True(Kind(expected) == Kind(actual), $"{path}: expected a JSON {Kind(expected)}, got {Kind(actual)} ({actual?.ToJsonString()})");
        switch (expected)
        {
            case JsonObject e:
                var a = (JsonObject)actual!;
                var expectedKeys = e.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
                var actualKeys = a.Select(p => p.Key).Order(StringComparer.Ordinal).ToList();
                Assert.True(expectedKeys.SequenceEqual(actualKeys),
                    $"{path}: expected keys [{string.Join(", ", expectedKeys)}], got [{string.Join(", ", actualKeys)}]");
                foreach (var (key, value) in e) AssertSameShape(value, a[key], $"{path}.{key}");
                break;
            case JsonArray e when e.Count > 0:
                foreach (var (item, i) in ((JsonArray)actual!).Select((x, i) => (x, i))) AssertSameShape(e[0], item, $"{path}[{i}]");
                break;
        }
    }

    private static string Kind(JsonNode? node) => node?.GetValueKind() switch
    {
        null or JsonValueKind.Null => "null",
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var k => k.ToString()!,
    };

    /// <summary>The errmsg format of the spec: the text, then <c> rid: </c> and three groups of 8 lowercase hex digits.</summary>
    public static void AssertError(WireResponse response, int errcode, string text)
    {
        Assert.Equal(200, response.Status);
        Assert.Equal(WeChatResponse.ContentType, response.ContentType);
        Assert.Equal(errcode, response.ErrCode);
        Assert.Matches($"^{System.Text.RegularExpressions.Regex.Escape(text)} rid: [0-9a-f]{{8}}-[0-9a-f]{{8}}-[0-9a-f]{{8}}$", response.ErrMsg);
        Assert.Equal(2, response.Json.AsObject().Count);
    }
}
