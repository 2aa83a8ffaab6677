using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class TimeSeriesWindowsTests
{
    /// <summary>Row t holds (t, 100 + t), so every value says where it came from.</summary>
    private static float[,] Series(int steps)
    {
        var series = new float[steps, 2];
        for (var t = 0; t < steps; t++) (series[t, 0], series[t, 1]) = (t, 100 + t);
        return series;
    }

    [Test]
    public void Windows_hold_past_rows_and_targets_the_following_rows()
    {
        var windows = TimeSeriesWindows.Create(Series(10), new WindowOptions(3) { Horizon = 2, Stride = 2, TargetFeatures = [1] });
        // Starts 0, 2, 4 (6 would need rows up to 10).
        Assert.That(windows.Starts, Is.EqualTo(new[] { 0, 2, 4 }));
        Assert.That(windows.Inputs.GetLength(1), Is.EqualTo(3));
        Assert.That(windows.Inputs[1, 0, 0], Is.EqualTo(2f));
        Assert.That(windows.Inputs[1, 2, 1], Is.EqualTo(104f));
        Assert.That(windows.Targets, Is.EqualTo(new float[,] { { 103, 104 }, { 105, 106 }, { 107, 108 } }));
    }

    [Test]
    public void No_window_crosses_the_validation_boundary()
    {
        var (train, validation) = TimeSeriesWindows.CreateSplit(Series(20), validationStart: 12, new WindowOptions(4) { Horizon = 2 });
        Assert.That(train.Starts.Max() + 4 + 2, Is.LessThanOrEqualTo(12), "training targets end before the boundary");
        Assert.That(validation.Starts.Min(), Is.GreaterThanOrEqualTo(12));
        Assert.That(train.Count, Is.EqualTo(12 - 6 + 1));
        Assert.That(validation.Count, Is.EqualTo(8 - 6 + 1));
        Assert.That(Enumerable.Range(0, train.Count).Select(i => train.Targets[i, 2]).Max(), Is.LessThan(12f), "no training target comes from validation rows");
    }

    [Test]
    public void A_window_longer_than_the_series_names_the_numbers()
    {
        var error = Assert.Throws<ArgumentException>(() => TimeSeriesWindows.Create(Series(5), new WindowOptions(5)))!;
        Assert.That(error.Message, Does.Contain("5 steps").And.Contain("window (5) + horizon (1) = 6"));
        Assert.That(Assert.Throws<ArgumentException>(() => TimeSeriesWindows.CreateSplit(Series(10), 8, new WindowOptions(3)))!.Message,
            Does.Contain("validation part has 2 steps"));
    }

    [Test]
    public void Invalid_options_are_rejected()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesWindows.Create(Series(5), new WindowOptions(0)))!.Message, Does.Contain("Window must be positive; got 0"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesWindows.Create(Series(5), new WindowOptions(2) { Stride = -1 }))!.Message, Does.Contain("Stride"));
        Assert.That(Assert.Throws<ArgumentException>(() => TimeSeriesWindows.Create(Series(5), new WindowOptions(2) { TargetFeatures = [2] }))!.Message, Does.Contain("0..1").And.Contain("[2]"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => TimeSeriesWindows.CreateSplit(Series(5), 5, new WindowOptions(2)))!.Message, Does.Contain("(0, 5)"));
    }
}
