using SequenceKit.Preprocessing;

namespace SequenceKit.Training;

/// <summary>
/// One epoch's batches, in the order the options ask for (shuffled from the epoch's seed, or in row order), with the
/// two ways of reading ahead in one place: a memory-mapped training set is asked for the rows two batches ahead while a
/// step runs, and <see cref="TrainerOptions.PrefetchBatches"/> batches are built on a background thread. Cancellation is
/// checked here, once per batch, also while waiting for a prefetched batch.
/// </summary>
internal sealed class EpochBatches : IDisposable
{
    /// <summary>How many batches ahead of the step a memory-mapped training set is asked to be read (<see cref="SequenceDataset.ReadAhead"/>).</summary>
    public const int ReadAheadBatches = 2;

    private readonly SequenceDataset train;
    private readonly IReadOnlyList<long[]> order;
    private readonly BatchPrefetcher? prefetch;
    private readonly CancellationToken cancellationToken;

    public EpochBatches(SequenceDataset train, TrainerOptions options, int seed, Backends.ComputeDevice device, CancellationToken cancellationToken)
    {
        this.train = train;
        this.cancellationToken = cancellationToken;
        order = train.BatchOrder(new BatchOptions { BatchSize = options.BatchSize, Shuffle = options.Shuffle, Seed = seed });
        prefetch = options.PrefetchBatches > 0 ? new BatchPrefetcher(order, rows => train.GetBatch(rows, device), options.PrefetchBatches, cancellationToken) : null;
        for (var b = 0; b < Math.Min(ReadAheadBatches, order.Count); b++) train.ReadAhead(order[b]);
    }

    /// <summary>Batches in the epoch.</summary>
    public int Count => order.Count;

    /// <summary>The rows of batch <paramref name="b"/>.</summary>
    public long[] this[int b] => order[b];

    /// <summary>
    /// Readies batch <paramref name="b"/>: asks for the rows further ahead, and takes the prefetched batch when there
    /// is a prefetcher (null otherwise: the step reads the rows itself). False when training was cancelled.
    /// </summary>
    public bool TryNext(int b, out DataBatch? prefetched)
    {
        prefetched = null;
        if (b + ReadAheadBatches < order.Count) train.ReadAhead(order[b + ReadAheadBatches]);   // a mapped file: read while this step runs
        if (cancellationToken.IsCancellationRequested) return false;
        if (prefetch is null) return true;
        prefetched = prefetch.Next();
        return prefetched is not null;                                                       // null: cancelled while waiting
    }

    /// <summary>Stops the prefetcher and releases the batches it holds.</summary>
    public void Dispose() => prefetch?.Dispose();
}
