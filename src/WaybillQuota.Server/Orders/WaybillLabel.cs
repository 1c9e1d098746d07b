using System.Text;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using WaybillQuota.Contracts;
using WaybillQuota.Server.Carriers;

namespace WaybillQuota.Server.Orders;

/// <summary>
/// The printable label of getOrder's <c>print_html</c>: a small standalone HTML page (base64 on the wire). Every value
/// comes from the caller's order, so every value is HTML-encoded; Chinese text stays readable (not <c>&amp;#x..;</c>).
/// </summary>
public static class WaybillLabel
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    private const string Style =
        "body{font-family:sans-serif;margin:0}" +
        ".label{width:100mm;border:1px solid #000;padding:3mm;box-sizing:border-box;page-break-after:always}" +
        "h1{font-size:14pt;margin:0}.waybill{font:bold 18pt monospace}.mark{font-size:16pt;font-weight:bold}" +
        ".party{border-top:1px dashed #000;margin-top:2mm;padding-top:2mm}.copy{font-size:8pt;text-align:right}";

    /// <param name="onePart">print_type 1: one part; otherwise two (the carrier's copy and the receiver's).</param>
    public static string Render(Carrier carrier, string waybillId, AddOrderRequest order, IReadOnlyList<WaybillDataItem> data,
        string? remark, bool onePart)
    {
        var sb = new StringBuilder(2048);
        sb.Append("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>");
        Text(sb, $"{carrier.Name} {waybillId}");
        sb.Append("</title><style>").Append(Style).Append("</style></head><body>");
        Part(sb, carrier, waybillId, order, data, remark, "派件联");
        if (!onePart) Part(sb, carrier, waybillId, order, data, remark, "收件联");
        sb.Append("</body></html>");
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(sb.ToString()));
    }

    private static void Part(StringBuilder sb, Carrier carrier, string waybillId, AddOrderRequest order,
        IReadOnlyList<WaybillDataItem> data, string? remark, string copy)
    {
        sb.Append("<section class=\"label\"><h1>");
        Text(sb, carrier.Name);
        sb.Append("</h1><div class=\"waybill\">");
        Text(sb, waybillId);
        sb.Append("</div>");
        foreach (var item in data)
        {
            sb.Append("<div class=\"mark\">");
            Text(sb, item.Value);
            sb.Append("</div>");
        }
        Contact(sb, "收", order.Receiver);
        Contact(sb, "寄", order.Sender);
        sb.Append("<div class=\"party\">");
        Text(sb, order.Shop?.GoodsName);
        if (!string.IsNullOrEmpty(remark))
        {
            sb.Append("<br>备注 ");
            Text(sb, remark);
        }
        sb.Append("</div><div class=\"copy\">");
        Text(sb, $"{copy} · {order.OrderId}");
        sb.Append("</div></section>");
    }

    private static void Contact(StringBuilder sb, string role, OrderContact? c)
    {
        sb.Append("<div class=\"party\"><b>").Append(role).Append("</b> ");
        Text(sb, c?.Name);
        sb.Append(' ');
        Text(sb, string.IsNullOrEmpty(c?.Mobile) ? c?.Tel : c.Mobile);
        if (!string.IsNullOrEmpty(c?.Company))
        {
            sb.Append(' ');
            Text(sb, c.Company);
        }
        sb.Append("<br>");
        Text(sb, $"{c?.Province}{c?.City}{c?.Area}{c?.Address}");
        sb.Append("</div>");
    }

    private static void Text(StringBuilder sb, string? value)
    {
        if (!string.IsNullOrEmpty(value)) sb.Append(Html.Encode(value));
    }
}
