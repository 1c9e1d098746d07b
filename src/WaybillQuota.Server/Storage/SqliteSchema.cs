namespace WaybillQuota.Server.Storage;

internal static partial class SqliteSchema
{
    public const string V1 = """
        CREATE TABLE apps (
            appid TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            secret_hash BLOB NOT NULL,
            ip_allow_list TEXT NOT NULL DEFAULT '',
            daily_budget INTEGER NOT NULL,
            minute_limit INTEGER NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        );
        CREATE TABLE tokens (
            hash BLOB PRIMARY KEY,
            appid TEXT NOT NULL REFERENCES apps (appid),
            kind INTEGER NOT NULL,
            nonce BLOB NULL,
            issued_at INTEGER NOT NULL,
            expires_at INTEGER NOT NULL,
            superseded_at INTEGER NULL
        );
        CREATE INDEX tokens_current ON tokens (appid, kind, issued_at) WHERE superseded_at IS NULL;
        CREATE TABLE usage (
            appid TEXT NOT NULL,
            api TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            count INTEGER NOT NULL,
            PRIMARY KEY (appid, api, window_start)
        );
        CREATE TABLE accounts (
            id INTEGER PRIMARY KEY,
            delivery_id TEXT NOT NULL,
            biz_id TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            balance INTEGER NOT NULL CHECK (balance >= 0),
            last_seq INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            balance_updated_at INTEGER NOT NULL,
            UNIQUE (delivery_id, biz_id)
        );
        CREATE TABLE ledger (
            account_id INTEGER NOT NULL REFERENCES accounts (id),
            seq INTEGER NOT NULL,
            delta INTEGER NOT NULL,
            balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
            kind TEXT NOT NULL,
            reference TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (account_id, seq),
            UNIQUE (account_id, reference)
        );
        CREATE TABLE bindings (
            appid TEXT NOT NULL REFERENCES apps (appid),
            account_id INTEGER NOT NULL REFERENCES accounts (id),
            status INTEGER NOT NULL,
            alias TEXT NOT NULL,
            remark_content TEXT NOT NULL,
            remark_wrong_msg TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (appid, account_id)
        );
        CREATE TABLE idempotency (
            scope TEXT NOT NULL,
            idem_key TEXT NOT NULL,
            request_hash BLOB NOT NULL,
            status INTEGER NOT NULL,
            response TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            PRIMARY KEY (scope, idem_key)
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """;

    /// <summary>
    /// Orders (issue 3). One row per (app, order_id), kept for ever: the row is what makes an identical retry return the
    /// same waybill and a reuse with other content answer 9300508. account_id is NULL on shared accounts (the TEST
    /// carrier's test_biz_id, cash biz_ids), which keep no ledger.
    /// </summary>
    public const string V2 = """
        CREATE TABLE orders (
            appid TEXT NOT NULL REFERENCES apps (appid),
            order_id TEXT NOT NULL,
            delivery_id TEXT NOT NULL,
            biz_id TEXT NOT NULL,
            account_id INTEGER NULL REFERENCES accounts (id),
            waybill_id TEXT NOT NULL,
            status INTEGER NOT NULL,
            request_digest BLOB NOT NULL,
            request TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            PRIMARY KEY (appid, order_id),
            UNIQUE (delivery_id, waybill_id)
        );
        """;

    /// <summary>
    /// Group commit on a hot account (issue 3): the orders table keeps the label's data rather than the whole request
    /// (its digest still stands for the whole), and waybill numbers are sequential, from the last number issued per
    /// carrier. Numbers are sequential, so the
    /// (delivery_id, waybill_id) index grows at its end instead of dirtying a random page per order; the single
    /// writer owns this row, so it serializes nothing that was not serialized already.
    /// </summary>
    public const string V4 = """
        ALTER TABLE orders RENAME COLUMN request TO label;
        CREATE TABLE waybill_numbers (
            delivery_id TEXT PRIMARY KEY,
            last INTEGER NOT NULL
        );
        """;
}
