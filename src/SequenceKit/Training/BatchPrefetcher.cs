using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using SequenceKit.Preprocessing;

namespace SequenceKit.Training;

/// <summary>
/// Reads and converts the next batches on another thread while the current one trains, in the given order, holding
/// at most <c>capacity</c> finished batches (bounded memory). The batches are created outside any dispose scope (the
/// worker thread has none) and belong to the consumer, which disposes each after its step. An exception of the reader
/// is rethrown, with its stack, by the <see cref="Next"/> call that would have returned that batch; cancellation and
/// <see cref="Dispose"/> stop the worker and free every batch not taken.
/// </summary>
internal sealed class BatchPrefetcher : IDisposable
{
    private readonly BlockingCollection<DataBatch> ready;
    private readonly CancellationTokenSource stop;
    private readonly Task worker;
    private ExceptionDispatchInfo? failure;

    /// <param name="order">The batches' rows, in the order they are wanted.</param>
    /// <param name="read">Makes one batch (e.g. <c>dataset.GetBatch(rows, device)</c>).</param>
    /// <param name="capacity">How many finished batches may wait; at least 1.</param>
    /// <param name="cancellationToken">Stops the worker.</param>
    public BatchPrefetcher(IReadOnlyList<long[]> order, Func<long[], DataBatch> read, int capacity, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ready = new BlockingCollection<DataBatch>(capacity);
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        worker = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var rows in order)
                {
                    if (token.IsCancellationRequested) return;
                    var batch = read(rows);
                    try
                    {
                        ready.Add(batch, token);
                    }
                    catch (OperationCanceledException)
                    {
                        batch.Dispose();
                        return;
                    }
                }
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                ready.CompleteAdding();
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>The next batch, waiting for it if needed; null when cancelled while waiting.</summary>
    /// <exception cref="InvalidOperationException">Every batch of the order was taken already.</exception>
    public DataBatch? Next()
    {
        try
        {
            if (ready.TryTake(out var batch, Timeout.Infinite, stop.Token)) return batch;
        }
        catch (OperationCanceledException)
        {
            return null;
        }
        failure?.Throw();
        throw new InvalidOperationException("Every batch of this pass was taken already.");
    }

    /// <summary>Stops the worker and frees the batches it made that were not taken.</summary>
    public void Dispose()
    {
        stop.Cancel();
        try
        {
            worker.Wait();
        }
        catch (AggregateException)
        {
        }
        while (ready.TryTake(out var left)) left.Dispose();
        ready.Dispose();
        stop.Dispose();
    }
}
