using System.Text.Json;
using System.Text.Json.Nodes;

namespace WaybillQuota.Server.CloudCall;

/// <summary>Reading a cloud function's config.json (<c>{"permissions":{"openapi":["logistics.getQuota"]}}</c>) and naming rules.</summary>
public static class CloudConfig
{
    public const int MaxConfigBytes = 64 * 1024;
    public const int MaxNameLength = 64;
    public const int MaxPermissionLength = 128;

    /// <summary>The permissions a config.json declares, sorted and distinct, or why it is not a valid one.</summary>
    public static (IReadOnlyList<string>? Permissions, string? Error) ReadPermissions(string text)
    {
        if (text.Length > MaxConfigBytes) return (null, $"config.json is larger than {MaxConfigBytes} bytes.");
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions
            {
                // config.json is edited by hand: tolerate comments and trailing commas rather than refuse the file.
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException e)
        {
            return (null, $"config.json is not JSON: {e.Message}");
        }
        if (root is not JsonObject config) return (null, "config.json must be a JSON object.");

        // Other keys (triggers, runtime settings) belong to the platform and are ignored here.
        var permissions = config["permissions"];
        if (permissions is null) return ([], null);
        if (permissions is not JsonObject permissionObject) return (null, "permissions must be an object.");
        var openapi = permissionObject["openapi"];
        if (openapi is null) return ([], null);
        if (openapi is not JsonArray list) return (null, "permissions.openapi must be an array of strings.");

        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var item in list)
        {
            if (item is not JsonValue value || value.GetValueKind() != JsonValueKind.String)
                return (null, "permissions.openapi must be an array of strings.");
            var entry = value.GetValue<string>();
            if (entry.Length is 0 or > MaxPermissionLength || entry.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
                return (null, $"permissions.openapi entries are 1 to {MaxPermissionLength} characters without spaces.");
            set.Add(entry);
        }
        return (set.ToList(), null);
    }

    /// <summary>Environment ids and function names: 1 to 64 of <c>A-Z a-z 0-9 - _</c>.</summary>
    public static bool IsValidName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxNameLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>The permission entry that allows a logistics API, e.g. <c>logistics.getQuota</c>.</summary>
    public static string LogisticsPermission(string cloudName) => "logistics." + cloudName;
}
