namespace WaybillQuota.Server.Storage;

/// <summary>What differs between the engines in the SQL of <see cref="SqlStoreTransaction"/>: little by design.</summary>
/// <param name="ForUpdate">Row-lock suffix of a SELECT inside a write transaction (empty where one writer serializes all writes).</param>
/// <param name="Migrations">Schema scripts in order; script N brings the schema to version N.</param>
public sealed record SqlDialect(string Name, string ForUpdate, IReadOnlyList<string> Migrations);
