namespace WaybillQuota.Server.Storage;

/// <summary>
/// The PostgreSQL form of <see cref="SqliteSchema"/>, version for version: the same tables and columns with
/// PostgreSQL's types (BIGINT for times and ids, INTEGER where the records hold an int, BYTEA for hashes), and the
/// invariants that SQLite leaves to the code stated as constraints, so no instance can commit a row that breaks them.
/// </summary>
internal static class PostgresSchema
{
    public const string V1 = """
        CREATE TABLE apps (
            appid TEXT PRIMARY KEY CHECK (length(appid) BETWEEN 1 AND 64),
            name TEXT NOT NULL,
            secret_hash BYTEA NOT NULL CHECK (octet_length(secret_hash) = 32),
            ip_allow_list TEXT NOT NULL DEFAULT '',
            daily_budget BIGINT NOT NULL CHECK (daily_budget >= 1),
            minute_limit INTEGER NULL CHECK (minute_limit IS NULL OR minute_limit >= 1),
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE tokens (
            hash BYTEA PRIMARY KEY CHECK (octet_length(hash) = 32),
            appid TEXT NOT NULL REFERENCES apps (appid),
            kind INTEGER NOT NULL CHECK (kind IN (0, 1)),
            nonce BYTEA NULL,
            issued_at BIGINT NOT NULL,
            expires_at BIGINT NOT NULL CHECK (expires_at > issued_at),
            superseded_at BIGINT NULL,
            CHECK ((kind = 1) = (nonce IS NOT NULL))
        );
        CREATE INDEX tokens_current ON tokens (appid, kind, issued_at) WHERE superseded_at IS NULL;
        CREATE TABLE usage (
            appid TEXT NOT NULL,
            api TEXT NOT NULL,
            window_start BIGINT NOT NULL,
            count BIGINT NOT NULL CHECK (count >= 0),
            PRIMARY KEY (appid, api, window_start)
        );
        CREATE TABLE accounts (
            id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            delivery_id TEXT NOT NULL,
            biz_id TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            balance INTEGER NOT NULL CHECK (balance >= 0),
            last_seq BIGINT NOT NULL CHECK (last_seq >= 0),
            created_at BIGINT NOT NULL,
            balance_updated_at BIGINT NOT NULL,
            UNIQUE (delivery_id, biz_id)
        );
        CREATE TABLE ledger (
            account_id BIGINT NOT NULL REFERENCES accounts (id),
            seq BIGINT NOT NULL CHECK (seq >= 1),
            delta INTEGER NOT NULL CHECK (delta <> 0),
            balance_after INTEGER NOT NULL CHECK (balance_after >= 0),
            kind TEXT NOT NULL CHECK (kind IN ('credit', 'consume', 'refund', 'adjust')),
            reference TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (account_id, seq),
            UNIQUE (account_id, reference)
        );
        CREATE TABLE bindings (
            appid TEXT NOT NULL REFERENCES apps (appid),
            account_id BIGINT NOT NULL REFERENCES accounts (id),
            status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 3),
            alias TEXT NOT NULL,
            remark_content TEXT NOT NULL,
            remark_wrong_msg TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (appid, account_id)
        );
        CREATE INDEX bindings_account ON bindings (account_id);
        CREATE TABLE idempotency (
            scope TEXT NOT NULL,
            idem_key TEXT NOT NULL,
            request_hash BYTEA NOT NULL,
            status INTEGER NOT NULL,
            response TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            PRIMARY KEY (scope, idem_key)
        );
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """;

    /// <summary>Orders (issue 3): the PostgreSQL form of <see cref="SqliteSchema.V2"/>.</summary>
    public const string V2 = """
        CREATE TABLE orders (
            appid TEXT NOT NULL REFERENCES apps (appid),
            order_id TEXT NOT NULL CHECK (octet_length(order_id) BETWEEN 1 AND 512),
            delivery_id TEXT NOT NULL,
            biz_id TEXT NOT NULL,
            account_id BIGINT NULL REFERENCES accounts (id),
            waybill_id TEXT NOT NULL,
            status INTEGER NOT NULL CHECK (status IN (0, 1)),
            request_digest BYTEA NOT NULL CHECK (octet_length(request_digest) = 32),
            request TEXT NOT NULL,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (appid, order_id),
            UNIQUE (delivery_id, waybill_id)
        );
        """;

    /// <summary>Cloud call (issue 6): the SQLite script runs unchanged (TEXT and BIGINT only, hashes as hex).</summary>
    public const string V3 = SqliteSchema.V3;

    /// <summary>
    /// The orders table keeps the label's data rather than the whole request (see <see cref="SqliteSchema.V4"/>).
    /// Waybill numbers: one sequence for every carrier (each number is unique, so it is unique per carrier too).
    /// nextval takes no row lock, so instances placing orders at the same carrier do not wait for each other.
    /// </summary>
    public const string V4 = "ALTER TABLE orders RENAME COLUMN request TO label; CREATE SEQUENCE waybill_numbers;";
}
