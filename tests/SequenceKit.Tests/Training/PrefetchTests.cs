using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.TestHost;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Training;

/// <summary>Batches read ahead on another thread: the same training, bounded memory, errors and cancellation passed on.</summary>
public class PrefetchTests
{
    private static IReadOnlyList<long[]> Order(int batches) => Enumerable.Range(0, batches).Select(b => new[] { (long)b }).ToArray();

    private static DataBatch Batch(long[] rows) => new(tensor(rows.Select(r => (float)r).ToArray()), tensor(rows), null, rows);

    [Test]
    public void Batches_come_in_order_and_the_reader_stays_within_the_bound()
    {
        var read = 0;
        var taken = 0;
        var maxAhead = 0;
        using var prefetcher = new BatchPrefetcher(Order(20), rows =>
        {
            var ahead = Interlocked.Increment(ref read) - Volatile.Read(ref taken);
            InterlockedMax(ref maxAhead, ahead);
            return Batch(rows);
        }, capacity: 3, CancellationToken.None);
        for (var b = 0; b < 20; b++)
        {
            Thread.Sleep(2);                                     // a slow consumer: the reader runs ahead as far as it may
            using var batch = prefetcher.Next()!;
            Interlocked.Increment(ref taken);
            Assert.That(batch.Indices, Is.EqualTo(new long[] { b }));
        }
        // 3 waiting in the queue + 1 being made when the consumer has not taken its next yet.
        Assert.That(maxAhead, Is.LessThanOrEqualTo(4));
        Assert.Throws<InvalidOperationException>(() => prefetcher.Next());
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen) { }
    }

    [Test]
    public void A_reader_error_reaches_the_consumer_at_the_batch_it_broke()
    {
        using var prefetcher = new BatchPrefetcher(Order(6), rows => rows[0] == 4 ? throw new IOException("disk gone at batch 4") : Batch(rows), 2, CancellationToken.None);
        for (var b = 0; b < 4; b++) using (prefetcher.Next()) { }
        Assert.That(Assert.Throws<IOException>(() => prefetcher.Next())!.Message, Is.EqualTo("disk gone at batch 4"));
    }

    [Test]
    public void Cancellation_ends_the_wait_and_dispose_frees_the_batches_not_taken()
    {
        using var source = new CancellationTokenSource();
        var made = new List<DataBatch>();
        var gate = new ManualResetEventSlim();
        var prefetcher = new BatchPrefetcher(Order(10), rows =>
        {
            if (rows[0] == 3) gate.Wait();                       // batch 3 never arrives until released
            var batch = Batch(rows);
            lock (made) made.Add(batch);
            return batch;
        }, 4, source.Token);
        for (var b = 0; b < 3; b++) using (prefetcher.Next()) { }
        source.CancelAfter(50);
        Assert.That(prefetcher.Next(), Is.Null, "cancelled while waiting");
        gate.Set();
        prefetcher.Dispose();
        lock (made) Assert.That(made.Skip(3).All(b => b.Inputs.IsInvalid), "every batch not taken was freed");
    }

    [Test]
    public void Training_with_prefetch_is_bit_identical_to_training_without()
    {
        using var data = ResumeRun.Data();
        string Train(int prefetch)
        {
            using var model = ResumeRun.Model();
            var history = Trainer.Fit(model, data, null, ResumeRun.Options(Path.GetTempPath(), 3) with { Callbacks = [], PrefetchBatches = prefetch });
            using var buffer = new MemoryStream();
            model.save(buffer);
            return string.Join(",", history["loss"].Select(l => l.ToString("R"))) + Convert.ToHexString(buffer.ToArray());
        }
        Assert.That(Train(3), Is.EqualTo(Train(0)));
    }

    [Test]
    public void Training_on_lazy_windows_with_prefetch_matches_the_materialized_windows_without()
    {
        var random = new Random(3);
        var series = new float[300, 2];
        for (var t = 0; t < 300; t++) (series[t, 0], series[t, 1]) = ((float)Math.Sin(t / 7.0), (float)random.NextDouble());
        var options = new WindowOptions(12) { TargetFeatures = [0] };
        var windows = TimeSeriesWindows.Create(series, options);
        using var eager = SequenceDataset.FromArrays(windows.Inputs, windows.Targets);
        using var lazy = TimeSeriesWindows.CreateDataset(series, options);
        IReadOnlyList<double> Train(SequenceDataset data, int prefetch)
        {
            using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(2), new Lstm(6), new Dense(1));
            return Trainer.Fit(model, data, null, new TrainerOptions { Loss = new MeanSquaredErrorLoss(), Epochs = 2, BatchSize = 16, Seed = 4, PrefetchBatches = prefetch })["loss"];
        }
        Assert.That(Train(lazy, prefetch: 2), Is.EqualTo(Train(eager, prefetch: 0)));
    }

    [Test]
    public void A_run_cancelled_mid_epoch_with_prefetch_stops_there()
    {
        using var data = ResumeRun.Data();
        using var model = ResumeRun.Model();
        using var source = new CancellationTokenSource();
        var history = Trainer.Fit(model, data, null, ResumeRun.Options(Path.GetTempPath(), 5) with
        {
            Callbacks = [new CancelAtBatch(source, 3)],
            PrefetchBatches = 2,
        }, source.Token);
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Cancelled));
        Assert.That(history.Epochs, Is.Empty);
    }

    private sealed class CancelAtBatch(CancellationTokenSource source, int batch) : Callback
    {
        public override void OnBatchEnd(TrainingContext context)
        {
            if (context.Batch == batch) source.Cancel();
        }
    }
}
