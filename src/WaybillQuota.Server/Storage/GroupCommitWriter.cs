using System.Data.Common;
using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace WaybillQuota.Server.Storage;

/// <summary>
/// The single writer. Writes queue up while a commit is in flight and the next transaction takes all of them
/// (up to <see cref="MaxBatch"/>), so a durable commit is paid once per batch rather than once per write, and no
/// write waits for a batch to fill: an idle writer commits a lone write at once. Each caller is answered only after
/// its transaction committed. If a batch fails, it is rolled back and each write is retried in a transaction of
/// its own, so one faulty write never fails the others.
/// </summary>
internal sealed class GroupCommitWriter : IAsyncDisposable
{
    private static readonly Meter Meter = new("WaybillQuota.Server.Storage");
    private static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>("waybillquota.store.batch_size", "{write}");

    private readonly Channel<IWriteOp> _queue = Channel.CreateUnbounded<IWriteOp>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = false });
    private readonly Func<DbConnection> _connect;
    private readonly Func<DbConnection, DbTransaction> _begin;
    private readonly SqlDialect _dialect;
    private readonly StoreCache _cache;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private DbConnection? _connection;
    private PreparedCommands? _commands;

    public GroupCommitWriter(Func<DbConnection> connect, Func<DbConnection, DbTransaction> begin, SqlDialect dialect,
        StoreCache cache, ILogger logger, int maxBatch)
    {
        _connect = connect;
        _begin = begin;
        _dialect = dialect;
        _cache = cache;
        _logger = logger;
        MaxBatch = maxBatch;
        _loop = Task.Factory.StartNew(RunAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    public int MaxBatch { get; }

    /// <summary>Transactions committed so far (for tests and benchmarks).</summary>
    public long Commits { get; private set; }

    public Task<T> EnqueueAsync<T>(Func<IStoreTransaction, T> work, CancellationToken cancellationToken) =>
        Enqueue(new WriteOp<T>(work, cancellationToken));

    public Task<TResult> EnqueueAsync<TItem, TResult>(BulkWrite<TItem, TResult> work, TItem item, CancellationToken cancellationToken) =>
        Enqueue(new BulkOp<TItem, TResult>(work, item, cancellationToken));

    private Task<T> Enqueue<T>(Op<T> op)
    {
        ObjectDisposedException.ThrowIf(!_queue.Writer.TryWrite(op), this);
        return op.Task;
    }

    private async Task RunAsync()
    {
        var batch = new List<IWriteOp>(MaxBatch);
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var op))
            {
                if (!op.IsCancelled) batch.Add(op);
            }
            if (batch.Count == 0) continue;

            BatchSize.Record(batch.Count);
            if (TryCommit(batch, out var error)) continue;
            if (batch.Count == 1)
            {
                CommitAlone(batch[0], error!);
                continue;
            }
            _logger.LogWarning(error, "A batch of {Count} writes failed; retrying each alone", batch.Count);
            foreach (var op in batch)
            {
                if (TryCommit([op], out var singleError)) continue;
                CommitAlone(op, singleError!);
            }
        }
        CloseConnection();
    }

    private void CloseConnection()
    {
        _commands?.Dispose();
        _commands = null;
        _connection?.Dispose();
        _connection = null;
    }

    /// <summary>
    /// A write that failed alone is run again while it failed only by losing a race with another transaction on the
    /// same database (another instance): a unique key the other just committed, a deadlock, a serialization failure.
    /// In a new transaction it sees what the other committed and answers accordingly (e.g. the idempotent answer).
    /// </summary>
    private void CommitAlone(IWriteOp op, Exception error)
    {
        for (var attempt = 1; attempt <= MaxConflictRetries && IsConflict(error); attempt++)
        {
            _logger.LogDebug(error, "A write lost a race with another transaction; running it again (attempt {Attempt})", attempt);
            if (TryCommit([op], out var again)) return;
            error = again!;
        }
        op.Fail(error);
    }

    private const int MaxConflictRetries = 3;

    // Standard SQLSTATEs: unique_violation, serialization_failure, deadlock_detected.
    private static bool IsConflict(Exception error) => error is DbException { SqlState: "23505" or "40001" or "40P01" };

    private bool TryCommit(List<IWriteOp> batch, out Exception? error)
    {
        DbTransaction? transaction = null;
        try
        {
            if (_connection is null)
            {
                _connection = _connect();
                _commands = new PreparedCommands(_connection, _dialect.ReuseCommands);
            }
            transaction = _begin(_connection);
            var tx = new SqlStoreTransaction(_commands!, transaction, _dialect);
            // Consecutive bulk writes of the same work run as one call, in queue order with the writes around them.
            for (var start = 0; start < batch.Count;)
            {
                var count = 1;
                if (batch[start].Group is { } group)
                {
                    while (start + count < batch.Count && Equals(batch[start + count].Group, group)) count++;
                }
                batch[start].Execute(tx, batch, start, count);
                start += count;
            }
            tx.BeforeCommit();
            transaction.Commit();
            Commits++;
            tx.ApplyEffects(_cache);
            foreach (var op in batch) op.Complete();
            error = null;
            return true;
        }
        catch (Exception ex)
        {
            try { transaction?.Rollback(); }
            catch (Exception rollbackError) { _logger.LogDebug(rollbackError, "Rollback failed"); }
            // A broken connection is replaced for the next attempt; one that merely lost a race is still good.
            if (!IsConflict(ex) || _connection?.State != System.Data.ConnectionState.Open)
            {
                CloseConnection();
            }
            error = ex;
            return false;
        }
        finally
        {
            _commands?.EndTransaction();
            transaction?.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private interface IWriteOp
    {
        bool IsCancelled { get; }

        /// <summary>The bulk work this write belongs to (consecutive writes of one group run as one call), or null.</summary>
        object? Group { get; }

        /// <summary>Runs this write and, for a bulk write, the <paramref name="count"/> - 1 writes of its group after it.</summary>
        void Execute(SqlStoreTransaction tx, List<IWriteOp> batch, int start, int count);
        void Complete();
        void Fail(Exception error);
    }

    private abstract class Op<T>(CancellationToken cancellationToken) : IWriteOp
    {
        private readonly TaskCompletionSource<T> _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<T> Task => _tcs.Task;

        /// <summary>The result of the last execution, handed to the caller once its transaction has committed.</summary>
        protected internal T? Result { get; set; }

        public bool IsCancelled
        {
            get
            {
                if (!cancellationToken.IsCancellationRequested) return false;
                _tcs.TrySetCanceled(cancellationToken);
                return true;
            }
        }

        public abstract object? Group { get; }
        public abstract void Execute(SqlStoreTransaction tx, List<IWriteOp> batch, int start, int count);
        public void Complete() => _tcs.TrySetResult(Result!);
        public void Fail(Exception error) => _tcs.TrySetException(error);
    }

    private sealed class WriteOp<T>(Func<IStoreTransaction, T> work, CancellationToken cancellationToken) : Op<T>(cancellationToken)
    {
        public override object? Group => null;

        public override void Execute(SqlStoreTransaction tx, List<IWriteOp> batch, int start, int count) => Result = work(tx);
    }

    private sealed class BulkOp<TItem, TResult>(BulkWrite<TItem, TResult> work, TItem item, CancellationToken cancellationToken)
        : Op<TResult>(cancellationToken)
    {
        public override object Group => work;

        public override void Execute(SqlStoreTransaction tx, List<IWriteOp> batch, int start, int count)
        {
            var ops = new BulkOp<TItem, TResult>[count];
            var items = new TItem[count];
            for (var i = 0; i < count; i++)
            {
                ops[i] = (BulkOp<TItem, TResult>)batch[start + i];
                items[i] = ops[i].Item;
            }
            var results = new TResult[count];
            work(tx, items, results);
            for (var i = 0; i < count; i++) ops[i].Result = results[i];
        }

        private TItem Item => item;
    }
}
