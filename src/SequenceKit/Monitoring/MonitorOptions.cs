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
