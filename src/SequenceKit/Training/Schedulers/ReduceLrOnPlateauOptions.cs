using SequenceKit.Monitoring;

namespace SequenceKit.Training.Schedulers;

/// <summary>Options of <see cref="ReduceLrOnPlateau"/>. Each default is written here once (Keras' defaults).</summary>
public sealed record ReduceLrOnPlateauOptions
{
    /// <summary>The metric to watch. Default "val_loss" (needs a validation set).</summary>
    public string Monitor { get; init; } = "val_loss";

    /// <summary>The direction; null (the default) takes it from the metric: losses minimize, each metric states its own.</summary>
    public MetricMode? Mode { get; init; }

    /// <summary>New rate = old rate × Factor; in (0, 1). Default 0.1.</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>Reduce when the epochs without improvement reach Patience (Keras' rule: count ≥ Patience). Default 10.</summary>
    public int Patience { get; init; } = 10;

    /// <summary>An improvement must beat the best by more than this. Default 1e-4.</summary>
    public double MinDelta { get; init; } = 1e-4;

    /// <summary>Whether MinDelta is absolute or relative to the best value. Default <see cref="MinDeltaMode.Absolute"/>.</summary>
    public MinDeltaMode MinDeltaMode { get; init; } = MinDeltaMode.Absolute;

    /// <summary>Keras' cooldown after a reduction: Cooldown c leaves c − 1 epochs uncounted (see <see cref="PlateauOptions.Cooldown"/>). Default 0.</summary>
    public int Cooldown { get; init; }

    /// <summary>The rate is never reduced below this; ≥ 0. Default 0.</summary>
    public double MinRate { get; init; }
}
