using System.ComponentModel.DataAnnotations;

namespace WaybillQuota.Server.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
}

/// <summary>Configuration section <c>Storage</c>.</summary>
public sealed class StoreOptions
{
    public const string Section = "Storage";

    /// <summary>The engine. Default <see cref="StorageProvider.Sqlite"/>.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>SQLite database file. Default <c>./data/waybillquota.db</c>.</summary>
    public string SqlitePath { get; set; } = Path.Combine("data", "waybillquota.db");

    /// <summary>PostgreSQL connection string (Npgsql syntax). Required when <see cref="Provider"/> is Postgres.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Most writes the group-commit writer puts in one transaction. Default 256.</summary>
    [Range(1, 10_000)]
    public int MaxBatch { get; set; } = 256;
}
