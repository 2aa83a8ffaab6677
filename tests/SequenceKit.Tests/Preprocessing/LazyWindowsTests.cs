using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Preprocessing;

/// <summary>Windows as a dataset that stores the series once: the same batches as the materialized windows, at O(series) memory.</summary>
public class LazyWindowsTests
{
    /// <summary>A series whose value at (t, f) is 100·t + f, so any window's values can be computed by hand.</summary>
    private static float[,] Series(int time, int features)
    {
        var s = new float[time, features];
        for (var t = 0; t < time; t++)
            for (var f = 0; f < features; f++) s[t, f] = 100 * t + f;
        return s;
    }

    private static void AssertSameBatches(SequenceDataset lazy, SequenceDataset eager, int seed)
    {
        Assert.That(lazy.Count, Is.EqualTo(eager.Count));
        Assert.That(lazy.InputShape, Is.EqualTo(eager.InputShape));
        Assert.That(lazy.TargetShape, Is.EqualTo(eager.TargetShape));
        foreach (var rows in eager.BatchOrder(new BatchOptions { BatchSize = 5, Shuffle = true, Seed = seed }))
        {
            using var scope = NewDisposeScope();
            var (a, b) = (lazy.GetBatch(rows), eager.GetBatch(rows));
            Assert.That(a.Inputs.shape, Is.EqualTo(b.Inputs.shape));
            Assert.That(a.Targets.shape, Is.EqualTo(b.Targets.shape));
            Assert.That(a.Inputs.data<float>().ToArray(), Is.EqualTo(b.Inputs.data<float>().ToArray()), $"inputs of rows [{string.Join(", ", rows)}]");
            Assert.That(a.Targets.data<float>().ToArray(), Is.EqualTo(b.Targets.data<float>().ToArray()), $"targets of rows [{string.Join(", ", rows)}]");
        }
    }

    [TestCase(4, 1, 1, null)]
    [TestCase(5, 3, 2, new[] { 2, 0 })]
    [TestCase(7, 2, 3, new[] { 1 })]
    public void Batches_are_bit_identical_to_the_materialized_windows(int window, int horizon, int stride, int[]? targets)
    {
        var series = Series(40, 3);
        var options = new WindowOptions(window) { Horizon = horizon, Stride = stride, TargetFeatures = targets };
        var windows = TimeSeriesWindows.Create(series, options);
        using var eager = SequenceDataset.FromArrays(windows.Inputs, windows.Targets);
        using var lazy = TimeSeriesWindows.CreateDataset(series, options);
        AssertSameBatches(lazy, eager, seed: window);
    }

    [Test]
    public void A_window_holds_the_steps_computed_by_hand()
    {
        using var lazy = TimeSeriesWindows.CreateDataset(Series(30, 2), new WindowOptions(3) { Horizon = 2, Stride = 4, TargetFeatures = [1] });
        using var batch = lazy.GetBatch([2]);
        // Row 2 starts at step 8: inputs steps 8, 9, 10; targets feature 1 of steps 11 and 12.
        Assert.That(batch.Inputs.data<float>().ToArray(), Is.EqualTo(new float[] { 800, 801, 900, 901, 1000, 1001 }));
        Assert.That(batch.Targets.data<float>().ToArray(), Is.EqualTo(new float[] { 1101, 1201 }));
        Assert.That(lazy.Count, Is.EqualTo((30 - 5) / 4 + 1));
    }

    [Test]
    public void The_split_matches_the_materialized_split_and_keeps_windows_on_their_side()
    {
        var series = Series(50, 2);
        var options = new WindowOptions(6) { Horizon = 2, Stride = 2 };
        var (train, validation) = TimeSeriesWindows.CreateSplit(series, 30, options);
        var (lazyTrain, lazyValidation) = TimeSeriesWindows.CreateDatasetSplit(series, 30, options);
        using (lazyTrain)
        using (lazyValidation)
        using (var eagerTrain = SequenceDataset.FromArrays(train.Inputs, train.Targets))
        using (var eagerValidation = SequenceDataset.FromArrays(validation.Inputs, validation.Targets))
        {
            AssertSameBatches(lazyTrain, eagerTrain, seed: 1);
            AssertSameBatches(lazyValidation, eagerValidation, seed: 2);
        }
    }

    [Test]
    public void A_long_series_costs_its_own_size_not_window_times_its_size()
    {
        // 2,000,000 steps × 4 features, window 1,000: materialized this would be 8·10^9 floats (32 GB).
        var steps = 2_000_000;
        using var series = arange(steps * 4L, dtype: ScalarType.Float32).reshape(steps, 4);
        using var lazy = TimeSeriesWindows.CreateDataset(series, new WindowOptions(1000));
        Assert.That(lazy.Count, Is.EqualTo(steps - 1000));
        using var batch = lazy.GetBatch([0, 1_500_000, steps - 1001]);
        Assert.That(batch.Inputs.shape, Is.EqualTo(new long[] { 3, 1000, 4 }));
        Assert.That(batch.Inputs[1, 999, 3].item<float>(), Is.EqualTo((1_500_000f + 999) * 4 + 3));
        Assert.That(batch.Targets[2, 0].item<float>(), Is.EqualTo((steps - 1f) * 4));
    }

    [Test]
    public void A_NaN_deep_in_a_long_series_is_reported_at_the_first_window_that_holds_it()
    {
        // 200,000 steps, window 100: the checks read 40 million window values chunk by chunk.
        var series = new float[200_000, 2];
        series[150_000, 1] = float.NaN;
        using var lazy = TimeSeriesWindows.CreateDataset(series, new WindowOptions(100) { TargetFeatures = [0] });
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(2), new Gru(2), new Dense(1));
        var error = Assert.Throws<ArgumentException>(() => Trainer.Fit(model, lazy, null,
            new TrainerOptions { Loss = new MeanSquaredErrorLoss(), Epochs = 1 }))!;
        // Window 149,901 is the first whose steps (149,901 … 150,000) include step 150,000, at its step 99; 100 windows hold it.
        Assert.That(error.Message, Does.Contain("Row 149901 of the training set holds NaN at step 99, feature 1"));
        Assert.That(error.Message, Does.Contain("100 NaN and 0 infinite value(s) in 100 row(s)"));
    }

    [Test]
    public void Bad_options_and_short_series_are_refused_like_the_materialized_form()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesWindows.CreateDataset(Series(10, 1), new WindowOptions(0)));
        Assert.That(Assert.Throws<ArgumentException>(() => TimeSeriesWindows.CreateDataset(Series(4, 1), new WindowOptions(4)))!.Message, Does.Contain("fewer than window"));
        Assert.That(Assert.Throws<ArgumentException>(() => TimeSeriesWindows.CreateDataset(Series(10, 2), new WindowOptions(3) { TargetFeatures = [2] }))!.Message, Does.Contain("0..1"));
        Assert.That(Assert.Throws<ArgumentException>(() => TimeSeriesWindows.CreateDatasetSplit(Series(20, 1), 18, new WindowOptions(3)))!.Message, Does.Contain("validation part"));
        Assert.Throws<ArgumentException>(() => TimeSeriesWindows.CreateDataset(new float[2, 3, 4], new WindowOptions(1)));
    }
}
