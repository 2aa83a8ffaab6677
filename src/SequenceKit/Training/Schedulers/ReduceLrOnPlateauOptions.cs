using SequenceKit.Monitoring;

namespace SequenceKit.Training.Schedulers;

/// <summary>
/// Options of <see cref="ReduceLrOnPlateau"/> (Keras' defaults): what to watch comes from <see cref="MonitorOptions"/>
/// (here with MinDelta 1e-4, Keras' default for this scheduler); the reduction's own settings are below.
/// </summary>
public sealed record ReduceLrOnPlateauOptions : MonitorOptions
{
    /// <summary>The defaults: "val_loss", patience 10, MinDelta 1e-4, factor 0.1, no cooldown, no minimum rate.</summary>
    public ReduceLrOnPlateauOptions() => MinDelta = 1e-4;

    /// <summary>New rate = old rate × Factor; in (0, 1). Default 0.1.</summary>
    public double Factor { get; init; } = 0.1;

    /// <summary>Keras' cooldown after a reduction: Cooldown c leaves c − 1 epochs uncounted (see <see cref="PlateauOptions.Cooldown"/>). Default 0.</summary>
    public int Cooldown { get; init; }

    /// <summary>The rate is never reduced below this; ≥ 0. Default 0.</summary>
    public double MinRate { get; init; }
}
