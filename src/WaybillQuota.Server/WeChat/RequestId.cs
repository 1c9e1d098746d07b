namespace WaybillQuota.Server.WeChat;

/// <summary>
/// The WeChat request id, <c>xxxxxxxx-xxxxxxxx-xxxxxxxx</c> in lowercase hex. It is made only when first asked for
/// (an error answer, a log line), so the success path pays nothing for it.
/// </summary>
public static class RequestId
{
    private static readonly object Key = new();

    public static string Get(HttpContext context)
    {
        if (context.Items.TryGetValue(Key, out var existing) && existing is string rid) return rid;
        rid = New();
        context.Items[Key] = rid;
        return rid;
    }

    public static string New()
    {
        Span<byte> bytes = stackalloc byte[12];
        Random.Shared.NextBytes(bytes);
        return string.Create(26, bytes.ToArray(), static (chars, b) =>
        {
            const string hex = "0123456789abcdef";
            var j = 0;
            for (var i = 0; i < 12; i++)
            {
                if (i is 4 or 8) chars[j++] = '-';
                chars[j++] = hex[b[i] >> 4];
                chars[j++] = hex[b[i] & 0xF];
            }
        });
    }
}
