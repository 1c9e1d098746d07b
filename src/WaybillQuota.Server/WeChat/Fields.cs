using System.Text;

namespace WaybillQuota.Server.WeChat;

/// <summary>Field rules of the contract: a required string that is missing or empty is 47001 naming it; too long is 9300526.</summary>
public static class Fields
{
    public static ApiError? Required(string? value, string name, int maxBytes) =>
        string.IsNullOrEmpty(value) ? ApiError.Required(name) : Length(value, name, maxBytes);

    public static ApiError? Length(string? value, string name, int maxBytes) =>
        value is not null && (value.Length > maxBytes || Encoding.UTF8.GetByteCount(value) > maxBytes)
            ? ApiError.TooLong(name, maxBytes)
            : null;

    /// <summary>The first error of several checks, or null.</summary>
    public static ApiError? First(params ReadOnlySpan<ApiError?> checks)
    {
        foreach (var check in checks)
        {
            if (check is not null) return check;
        }
        return null;
    }
}
