using WaybillQuota.Server.Storage;

namespace WaybillQuota.Server.Tests.Infrastructure;

/// <summary>Makes writes meet in one batch, as they do when they arrive during a slow commit.</summary>
public static class WriterGate
{
    /// <summary>
    /// Holds the writer inside a transaction of its own while <paramref name="enqueue"/> queues writes, then lets it go:
    /// everything queued meanwhile is taken by the next transaction. Returns what <paramref name="enqueue"/> returned
    /// (typically the pending writes) once the holding transaction has committed.
    /// </summary>
    public static async Task<T> QueueBehindTheWriterAsync<T>(this IWaybillStore store, Func<T> enqueue, CancellationToken cancellationToken)
    {
        using var entered = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var holder = store.WriteAsync(_ => { entered.Set(); release.Wait(cancellationToken); return 0; }, cancellationToken);
        entered.Wait(cancellationToken);
        T queued;
        try
        {
            queued = enqueue();
        }
        finally
        {
            release.Set();
        }
        await holder;
        return queued;
    }
}
