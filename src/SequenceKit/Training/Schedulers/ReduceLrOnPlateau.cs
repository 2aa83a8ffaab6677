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
        if (Options.Cooldown < 0)
            throw new ArgumentOutOfRangeException(nameof(options), Options.Cooldown, $"ReduceLrOnPlateauOptions.Cooldown must be ≥ 0; got {Options.Cooldown}.");
        Options.Validate(nameof(options));
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
    /// <exception cref="ArgumentException">The state is malformed or out of range; the scheduler is then unchanged.</exception>
    public void SetState(JsonObject state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (StateProblem(state) is { } problem) throw new ArgumentException($"The ReduceLrOnPlateau state {problem}", nameof(state));
        var next = Create(Enum.Parse<MetricMode>((string?)state["mode"] ?? nameof(MetricMode.Minimize)));
        next.SetState(((double?)state["best"] ?? double.NaN, (int?)state["wait"] ?? 0, (int?)state["cooldown"] ?? 0));
        detector = next;
    }

    /// <summary>Null when <paramref name="state"/> is a state <see cref="GetState"/> could have written; otherwise what is wrong.</summary>
    internal string? StateProblem(JsonObject state)
    {
        if (state["mode"] is { } mode && !(mode is JsonValue m && m.GetValueKind() == System.Text.Json.JsonValueKind.String && Enum.TryParse<MetricMode>(m.GetValue<string>(), out var parsed) && Enum.IsDefined(parsed)))
            return $"has mode {mode.ToJsonString()}; expected one of {string.Join(", ", Enum.GetNames<MetricMode>())}.";
        if (state["best"] is { } best && !(best is JsonValue b && b.GetValueKind() == System.Text.Json.JsonValueKind.Number && double.IsFinite(b.GetValue<double>())))
            return $"has best {best.ToJsonString()}; expected a finite number or null.";
        foreach (var name in (string[])["wait", "cooldown"])
            if (state[name] is { } count && !(count is JsonValue c && c.GetValueKind() == System.Text.Json.JsonValueKind.Number && c.TryGetValue(out int n) && n >= 0))
                return $"has {name} {count.ToJsonString()}; expected an integer ≥ 0.";
        return null;
    }

    private PlateauDetector Create(MetricMode mode) => new(Options.ToPlateau(mode, Options.Cooldown), Options.Monitor);
}
