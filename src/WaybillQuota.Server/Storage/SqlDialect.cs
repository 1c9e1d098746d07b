namespace WaybillQuota.Server.Storage;

/// <summary>What differs between the engines in the SQL of <see cref="SqlStoreTransaction"/>: little by design.</summary>
/// <param name="ForUpdate">
/// Row-lock suffix of a SELECT inside a write transaction (empty where one writer serializes all writes). PostgreSQL
/// uses <c>FOR NO KEY UPDATE</c>: it excludes other writers of the row as <c>FOR UPDATE</c> does, but not the
/// <c>KEY SHARE</c> locks that foreign-key checks take, so inserting a binding or a token does not wait for a spend.
/// </param>
/// <param name="Migrations">Schema scripts in order; script N brings the schema to version N.</param>
/// <param name="NotifySql">
/// Where other processes write the same database: a statement, run inside a write transaction just before it commits,
/// that tells every instance which read-model keys it changed (parameter <c>@keys</c>, a text array). PostgreSQL
/// delivers a NOTIFY only when and if its transaction commits. Null where this process is the only writer.
/// </param>
/// <param name="ReuseCommands">
/// Keep the writer's commands across batches. Microsoft.Data.Sqlite compiles a statement for every new command, and
/// reusing them is most of the batched writer's speed; Npgsql infers parameter types per command, so a reused command
/// whose parameter changes type (a NULL, then bytes) would fail, and it gains little there.
/// </param>
/// <param name="SetBased">
/// Work on many rows is sent as one statement over array parameters (<c>unnest</c>), and waybill numbers come from a
/// sequence: on a client/server engine each statement is a round trip, and a sequence is shared by all instances
/// without a row lock. Where false (SQLite, in process), a reused prepared statement per row costs no round trip, and
/// the single writer owns a counter row.
/// </param>
public sealed record SqlDialect(string Name, string ForUpdate, IReadOnlyList<string> Migrations, string? NotifySql = null,
    bool ReuseCommands = false, bool SetBased = false)
{
    /// <summary>Other processes write the same database, so the read model is invalidated by notifications.</summary>
    public bool IsShared => NotifySql is not null;
}
