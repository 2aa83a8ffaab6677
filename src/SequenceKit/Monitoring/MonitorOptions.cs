namespace SequenceKit.Monitoring;

/// <summary>
/// What a plateau rule watches and when it fires, written once for every consumer that watches a metric
/// (<c>EarlyStoppingOptions</c>, <c>ReduceLrOnPlateauOptions</c>): the metric, its direction, the patience and the
/// smallest change that counts. Each consumer adds its own settings.
/// </summary>
public abstract record MonitorOptions
{
    /// <summary>The metric to watch. Default "val_loss" (needs a validation set).</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>The direction; null (the default) takes it from the metric: losses minimize, each metric states its own.</summary>
    public MetricMode? Mode { get; init; }

    /// <summary>Act when the epochs without improvement reach Patience (Keras' rule: count ≥ Patience). Default 10.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>The smallest change that counts as an improvement (strictly more than this). Default 0 (Keras' EarlyStopping); <c>ReduceLrOnPlateauOptions</c> sets 1e-4 (Keras').</summary>
    public double MinDelta { get; init; }

    /// <summary>Whether <see cref="MinDelta"/> is absolute or relative to the best value. Default <see cref="MinDeltaMode.Absolute"/>.</summary>
    public MinDeltaMode MinDeltaMode { get; init; } = MinDeltaMode.Absolute;

    /// <summary>
    /// The one check of the monitor's settings, naming the options type: a metric name, Patience ≥ 1, MinDelta finite
    /// and ≥ 0, defined enum values.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range (the message names it, its value and the range).</exception>
    /// <exception cref="ArgumentException">Monitor is empty.</exception>
    internal void Validate(string paramName)
    {
        var owner = GetType().Name;
        if (string.IsNullOrWhiteSpace(Monitor))
            throw new ArgumentException($"{owner}.Monitor must name a metric (e.g. \"val_loss\"); got '{Monitor}'.", paramName);
        if (Patience < 1)
            throw new ArgumentOutOfRangeException(paramName, Patience, $"{owner}.Patience must be at least 1; got {Patience}.");
        if (!(MinDelta >= 0) || double.IsInfinity(MinDelta))
            throw new ArgumentOutOfRangeException(paramName, MinDelta, $"{owner}.MinDelta must be finite and ≥ 0; got {MinDelta}.");
        if ((Mode is { } mode && !Enum.IsDefined(mode)) || !Enum.IsDefined(MinDeltaMode))
            throw new ArgumentOutOfRangeException(paramName, $"{owner}.Mode and MinDeltaMode must be defined values; got {Mode} and {MinDeltaMode}.");
    }

    /// <summary>The plateau rule's settings for this monitor, in the direction <paramref name="mode"/>.</summary>
    internal PlateauOptions ToPlateau(MetricMode mode, int cooldown = 0) => new()
    {
        Mode = mode,
        MinDelta = MinDelta,
        MinDeltaMode = MinDeltaMode,
        Patience = Patience,
        Cooldown = cooldown,
    };
}
