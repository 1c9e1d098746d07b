using System.Data.Common;

namespace WaybillQuota.Server.Storage;

/// <summary>Column lists and row readers shared by the transaction and the read paths.</summary>
internal static partial class SqlText
{
    public const string AppColumns = "appid, name, secret_hash, ip_allow_list, daily_budget, minute_limit, created_at, updated_at";
    public const string TokenColumns = "hash, appid, kind, nonce, issued_at, expires_at, superseded_at";
    public const string AccountColumns = "id, delivery_id, biz_id, password_hash, balance, created_at, balance_updated_at";
    public const string BindingColumns =
        "b.appid, b.account_id, a.delivery_id, a.biz_id, b.status, b.alias, b.remark_content, b.remark_wrong_msg, b.created_at, b.updated_at";
    public const string LedgerColumns = "account_id, seq, delta, balance_after, kind, reference, created_at";
    public const string OrderColumns =
        "appid, order_id, delivery_id, biz_id, account_id, waybill_id, status, request_digest, label, created_at, updated_at";

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql,
        params (string Name, object? Value)[] parameters)
    {
        var cmd = connection.CreateCommand();
        cmd.Transaction = transaction;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var p = cmd.CreateParameter();
            // Named as the SQL spells it: Microsoft.Data.Sqlite otherwise looks each name up again with every prefix.
            p.ParameterName = "@" + name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    public static AppRecord ReadApp(DbDataReader r)
    {
        var ips = r.GetString(3);
        return new AppRecord(r.GetString(0), r.GetString(1), (byte[])r.GetValue(2),
            ips.Length == 0 ? [] : ips.Split(','), r.GetInt64(4), r.IsDBNull(5) ? null : r.GetInt32(5),
            r.GetInt64(6), r.GetInt64(7));
    }

    public static TokenRecord ReadToken(DbDataReader r) => new(
        (byte[])r.GetValue(0), r.GetString(1), (TokenKind)r.GetInt32(2), r.IsDBNull(3) ? null : (byte[])r.GetValue(3),
        r.GetInt64(4), r.GetInt64(5), r.IsDBNull(6) ? null : r.GetInt64(6));

    public static AccountRecord ReadAccount(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt32(4), r.GetInt64(5), r.GetInt64(6));

    public static BindingRecord ReadBinding(DbDataReader r) => new(
        r.GetString(0), r.GetInt64(1), r.GetString(2), r.GetString(3), (BindingStatus)r.GetInt32(4), r.GetString(5),
        r.GetString(6), r.GetString(7), r.GetInt64(8), r.GetInt64(9));

    public static LedgerEntry ReadLedger(DbDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetInt32(2), r.GetInt32(3), r.GetString(4), r.GetString(5), r.GetInt64(6));

    public static OrderRecord ReadOrder(DbDataReader r) => new(
        r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetInt64(4), r.GetString(5),
        (OrderStatus)r.GetInt32(6), (byte[])r.GetValue(7), r.GetString(8), r.GetInt64(9), r.GetInt64(10));
}
