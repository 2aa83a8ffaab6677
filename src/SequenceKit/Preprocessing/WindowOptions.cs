namespace SequenceKit.Preprocessing;

/// <summary>How <see cref="TimeSeriesWindows"/> cuts a series. Each default is written here once.</summary>
/// <param name="Window">Time steps in each input window; positive.</param>
public sealed record WindowOptions(int Window)
{
    /// <summary>How many steps after the window the target covers; positive. Default 1 (predict the next step).</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Steps between the starts of consecutive windows; positive. Default 1.</summary>
    public int Stride { get; init; } = 1;

    /// <summary>The feature columns that form the target; null (the default) for all of them.</summary>
    public IReadOnlyList<int>? TargetFeatures { get; init; }
}
