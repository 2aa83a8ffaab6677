namespace SequenceKit.Monitoring;

/// <summary>The plateau rule's settings. Each default is written here once.</summary>
public sealed record PlateauOptions
{
    /// <summary>Which direction is an improvement. Default <see cref="MetricMode.Minimize"/>.</summary>
    public MetricMode Mode { get; init; } = MetricMode.Minimize;

    /// <summary>An improvement must beat the best by more than this (strictly, as Keras and PyTorch); ≥ 0. Default 1e-4.</summary>
    public double MinDelta { get; init; } = 1e-4;

    /// <summary>Whether <see cref="MinDelta"/> is absolute or relative to the best value. Default <see cref="MinDeltaMode.Absolute"/> (Keras).</summary>
    public MinDeltaMode MinDeltaMode { get; init; } = MinDeltaMode.Absolute;

    /// <summary>
    /// A plateau is declared when the number of consecutive updates without improvement reaches Patience
    /// (Keras' rule: <c>epochsWithoutImprovement ≥ Patience</c>; PyTorch waits one update more). ≥ 1. Default 10.
    /// </summary>
    public int Patience { get; init; } = 10;

    /// <summary>
    /// Keras' cooldown: after a plateau, a counter set to Cooldown is decremented at the start of each update, and
    /// updates are not counted while it is still above 0 afterwards. So Cooldown c leaves c − 1 updates uncounted
    /// (Cooldown 1 is the same as 0); PyTorch's cooldown c leaves c. ≥ 0. Default 0.
    /// </summary>
    public int Cooldown { get; init; }

    internal void Validate()
    {
        if (!(MinDelta >= 0) || double.IsInfinity(MinDelta))
            throw new ArgumentOutOfRangeException(nameof(MinDelta), MinDelta, $"PlateauOptions.MinDelta must be finite and ≥ 0; got {MinDelta}.");
        if (Patience < 1)
            throw new ArgumentOutOfRangeException(nameof(Patience), Patience, $"PlateauOptions.Patience must be at least 1; got {Patience}.");
        if (Cooldown < 0)
            throw new ArgumentOutOfRangeException(nameof(Cooldown), Cooldown, $"PlateauOptions.Cooldown must be ≥ 0; got {Cooldown}.");
        if (!Enum.IsDefined(Mode) || !Enum.IsDefined(MinDeltaMode))
            throw new ArgumentOutOfRangeException(nameof(Mode), $"PlateauOptions.Mode and MinDeltaMode must be defined values; got {Mode} and {MinDeltaMode}.");
    }
}
