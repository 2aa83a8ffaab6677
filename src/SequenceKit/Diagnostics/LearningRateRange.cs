namespace SequenceKit.Diagnostics;

/// <summary>Options of <see cref="LearningRateFinder.Run"/>. Each default is written here once.</summary>
public sealed record LearningRateRangeOptions
{
    /// <summary>The first learning rate of the sweep; positive. Default 1e-7.</summary>
    public double StartRate { get; init; } = 1e-7;

    /// <summary>The last learning rate of the sweep; above StartRate. Default 10.</summary>
    public double EndRate { get; init; } = 10;

    /// <summary>Optimizer steps in the sweep (the rate grows exponentially between them); at least 10. Default 100.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Exponential smoothing of the loss, in [0, 1). Default 0.9.</summary>
    public double Smoothing { get; init; } = 0.9;

    /// <summary>Stop when the smoothed loss exceeds this multiple of its minimum. Default 4.</summary>
    public double DivergenceFactor { get; init; } = 4;
}

/// <summary>The result of a learning-rate range test.</summary>
/// <param name="Rates">The rate of each step taken.</param>
/// <param name="Losses">The smoothed loss after each step.</param>
/// <param name="SuggestedRate">The more conservative of the rate of steepest descent of the smoothed loss and a tenth of the rate at its minimum.</param>
/// <param name="Method">"steepest descent" or "valley".</param>
/// <param name="Diverged">The sweep stopped because the loss exceeded DivergenceFactor × its minimum.</param>
public sealed record LearningRateRangeResult(IReadOnlyList<double> Rates, IReadOnlyList<double> Losses, double SuggestedRate, string Method, bool Diverged);
