using System.Data.Common;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The writer's commands, one per SQL text, kept for the life of its connection. A batch runs the same few statements
/// for every write in it; building and preparing each anew (Microsoft.Data.Sqlite compiles the SQL on every new
/// command) cost more than the statements themselves, and that cost is what group commit leaves on the hot account.
/// </summary>
/// <remarks>Where the dialect does not reuse commands, each is new and disposed at <see cref="EndTransaction"/>.</remarks>
internal sealed class PreparedCommands(DbConnection connection, bool reuse) : IDisposable
{
    private readonly Dictionary<string, DbCommand> _commands = new(StringComparer.Ordinal);
    private readonly List<DbCommand> _transient = [];

    public DbConnection Connection => connection;

    /// <summary>The command for <paramref name="sql"/>, bound to <paramref name="transaction"/> and these parameter values.</summary>
    public DbCommand Get(DbTransaction transaction, string sql, (string Name, object? Value)[] parameters)
    {
        if (!reuse)
        {
            var fresh = SqlText.Command(connection, transaction, sql, parameters);
            _transient.Add(fresh);
            return fresh;
        }
        if (!_commands.TryGetValue(sql, out var cmd))
        {
            cmd = SqlText.Command(connection, transaction, sql, parameters);
            _commands[sql] = cmd;
            return cmd;
        }

        cmd.Transaction = transaction;
        if (cmd.Parameters.Count != parameters.Length)
            throw new InvalidOperationException("One SQL text is used with different parameters.");
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = cmd.Parameters[i];
            if (!p.ParameterName.AsSpan(1).SequenceEqual(parameters[i].Name))
                throw new InvalidOperationException("One SQL text is used with different parameters.");
            p.Value = parameters[i].Value ?? DBNull.Value;
        }
        return cmd;
    }

    /// <summary>Disposes the commands made for one transaction only.</summary>
    public void EndTransaction()
    {
        foreach (var cmd in _transient) cmd.Dispose();
        _transient.Clear();
    }

    public void Dispose()
    {
        EndTransaction();
        foreach (var cmd in _commands.Values) cmd.Dispose();
        _commands.Clear();
    }
}
