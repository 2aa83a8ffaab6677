using System.Globalization;
using System.Text.Json.Nodes;
using SequenceKit.Monitoring;

namespace SequenceKit.Training.Schedulers;

/// <summary>
/// Multiplies the learning rate by <see cref="ReduceLrOnPlateauOptions.Factor"/> when the monitored metric stops
/// improving, using the shared <see cref="PlateauDetector"/> (Keras' rule: reduce when the epochs without improvement
/// reach Patience; then Cooldown epochs pass before counting resumes), never below MinRate.
/// </summary>
public sealed class ReduceLrOnPlateau : IMetricScheduler
{
    private PlateauDetector detector;

    /// <summary>Creates the scheduler.</summary>
    /// <param name="options">Monitor, factor, patience and the rest; null for Keras' defaults on "val_loss".</param>
    /// <exception cref="ArgumentOutOfRangeException">Factor is outside (0, 1), or another option is out of range.</exception>
    public ReduceLrOnPlateau(ReduceLrOnPlateauOptions? options = null)
    {
        Options = options ?? new ReduceLrOnPlateauOptions();
        if (!(Options.Factor > 0 && Options.Factor < 1))
            throw new ArgumentOutOfRangeException(nameof(options), Options.Factor,
                $"ReduceLrOnPlateauOptions.Factor must be in (0, 1); got {Options.Factor}. Use 0.1 to divide the learning rate by 10.");
        if (!(Options.MinRate >= 0) || double.IsInfinity(Options.MinRate))
            throw new ArgumentOutOfRangeException(nameof(options), Options.MinRate, $"ReduceLrOnPlateauOptions.MinRate must be finite and ≥ 0; got {Options.MinRate}.");
        if (Options.Patience < 1)
            throw new ArgumentOutOfRangeException(nameof(options), Options.Patience, $"ReduceLrOnPlateauOptions.Patience must be at least 1; got {Options.Patience}.");
        if (Options.Cooldown < 0)
            throw new ArgumentOutOfRangeException(nameof(options), Options.Cooldown, $"ReduceLrOnPlateauOptions.Cooldown must be ≥ 0; got {Options.Cooldown}.");
        if (!(Options.MinDelta >= 0) || double.IsInfinity(Options.MinDelta))
            throw new ArgumentOutOfRangeException(nameof(options), Options.MinDelta, $"ReduceLrOnPlateauOptions.MinDelta must be finite and ≥ 0; got {Options.MinDelta}.");
        ArgumentException.ThrowIfNullOrWhiteSpace(Options.Monitor, nameof(options));
        detector = Create(Options.Mode ?? MetricMode.Minimize);
    }

    /// <summary>The scheduler's options.</summary>
    public ReduceLrOnPlateauOptions Options { get; }

    /// <inheritdoc />
    public string Monitor => Options.Monitor;

    /// <inheritdoc />
    public MetricMode? Mode => Options.Mode;

    /// <inheritdoc />
    public void Start(MetricMode mode) => detector = Create(mode);

    /// <inheritdoc />
    public double Step(double value, double currentRate, out string? message)
    {
        message = null;
        var decision = detector.Update(value);
        if (!decision.Plateaued || currentRate <= Options.MinRate) return currentRate;
        var reduced = Math.Max(currentRate * Options.Factor, Options.MinRate);
        message = string.Create(CultureInfo.InvariantCulture, $"{decision.Reason}; learning rate reduced from {currentRate:G4} to {reduced:G4}");
        return reduced;
    }

    /// <inheritdoc />
    public JsonObject GetState()
    {
        var (best, wait, cooldown) = detector.GetState();
        return new JsonObject { ["best"] = double.IsNaN(best) ? null : best, ["wait"] = wait, ["cooldown"] = cooldown, ["mode"] = detector.Options.Mode.ToString() };
    }

    /// <inheritdoc />
    public void SetState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        detector = Create(Enum.Parse<MetricMode>((string?)state["mode"] ?? nameof(MetricMode.Minimize)));
        detector.SetState(((double?)state["best"] ?? double.NaN, (int?)state["wait"] ?? 0, (int?)state["cooldown"] ?? 0));
    }

    private PlateauDetector Create(MetricMode mode) => new(new PlateauOptions
    {
        Mode = mode,
        MinDelta = Options.MinDelta,
        MinDeltaMode = Options.MinDeltaMode,
        Patience = Options.Patience,
        Cooldown = Options.Cooldown,
    }, Options.Monitor);
}
