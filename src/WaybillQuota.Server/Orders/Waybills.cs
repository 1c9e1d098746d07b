using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using WaybillQuota.Contracts;

namespace WaybillQuota.Server.Orders;

/// <summary>
/// Waybill numbers and the routing data a label prints, in each carrier's own format (docs/orders.md has the table).
/// Numbers come from the store (<see cref="Storage.IStoreTransaction.NextWaybillNumbers"/>) and run in sequence, as a
/// carrier's number segments do: a new number lands at the end of the (delivery_id, waybill_id) index rather than on a
/// random page of it, which is most of what a batch of orders writes. Uniqueness per carrier is still that key's; a
/// number taken already (e.g. by an order from before numbers were sequential) is answered by taking the next.
/// </summary>
public static class Waybills
{
    private static readonly FrozenDictionary<string, (string Prefix, int Digits)> Formats =
        new Dictionary<string, (string, int)>
        {
            ["YTO"] = ("YT", 13),
            ["ZTO"] = ("75", 12),
            ["BEST"] = ("55", 11),
            ["YUNDA"] = ("43", 11),
            ["STO"] = ("77", 11),
            ["ANE"] = ("30", 10),
            ["UCE"] = ("39", 10),
            ["HHTT"] = ("66", 10),
            ["JTSD"] = ("JT", 13),
            ["SF"] = ("SF", 13),
            ["EMS"] = ("11", 11),
            ["PJ"] = ("20", 11),
            ["DB"] = ("DPK", 12),
            ["JDL"] = ("JD", 13),
            ["TEST"] = ("TEST", 10),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly long[] Powers = [.. Enumerable.Range(0, 19).Select(n => (long)Math.Pow(10, n))];

    /// <summary>
    /// The waybill id of the carrier's <paramref name="number"/>-th waybill, e.g. <c>YT3000000000042</c> for YTO: its
    /// prefix and a fixed count of digits, starting at 3 followed by zeros (a fresh carrier segment).
    /// </summary>
    public static string Format(string deliveryId, long number)
    {
        var (prefix, digits) = Formats.GetValueOrDefault(deliveryId, (deliveryId, 12));
        var value = (3 * Powers[digits - 1] + number) % Powers[digits];
        return string.Create(prefix.Length + digits, (prefix, digits, value), static (span, s) =>
        {
            s.prefix.AsSpan().CopyTo(span);
            s.value.TryFormat(span[s.prefix.Length..], out _, new string('0', s.digits), System.Globalization.CultureInfo.InvariantCulture);
        });
    }

    /// <summary>
    /// The label's routing data: the carrier's sorting mark (<c>YTO_mark</c>: <c>101- 07-03 509</c>), derived from the
    /// receiver's region so an identical retry and every later getOrder answer the same value without storing it.
    /// </summary>
    public static IReadOnlyList<WaybillDataItem> Data(string deliveryId, OrderContact? receiver)
    {
        var region = $"{receiver?.Province}|{receiver?.City}|{receiver?.Area}";
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(region), hash);
        var n = BitConverter.ToUInt64(hash) % 10_000_000_000UL;
        var d = n.ToString("D10", System.Globalization.CultureInfo.InvariantCulture);
        return [new WaybillDataItem { Key = $"{deliveryId}_mark", Value = $"{d[..3]}- {d[3..5]}-{d[5..7]} {d[7..]}" }];
    }
}
