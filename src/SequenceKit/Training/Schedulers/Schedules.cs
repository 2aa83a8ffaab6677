using System.Globalization;

namespace SequenceKit.Training.Schedulers;

/// <summary>Multiplies the rate by <paramref name="gamma"/> every <paramref name="stepSize"/> epochs: base · gamma^⌊epoch / stepSize⌋.</summary>
/// <param name="stepSize">Epochs between decays; positive.</param>
/// <param name="gamma">The decay factor, in (0, 1]. Default 0.1.</param>
public sealed class StepLr(int stepSize, double gamma = 0.1) : IEpochScheduler
{
    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; } = stepSize > 0 ? stepSize : throw ScheduleChecks.OutOfRange(nameof(StepLr), nameof(stepSize), stepSize, "positive");

    /// <summary>The decay factor.</summary>
    public double Gamma { get; } = ScheduleChecks.Factor(nameof(StepLr), gamma, nameof(gamma));

    /// <inheritdoc />
    public double LearningRate(double baseRate, SchedulePosition position) => baseRate * Math.Pow(Gamma, position.Epoch / StepSize);
}

/// <summary>Multiplies the rate by <paramref name="gamma"/> every epoch: base · gamma^epoch.</summary>
/// <param name="gamma">The decay factor, in (0, 1].</param>
public sealed class ExponentialLr(double gamma) : IEpochScheduler
{
    /// <summary>The decay factor.</summary>
    public double Gamma { get; } = ScheduleChecks.Factor(nameof(ExponentialLr), gamma, nameof(gamma));

    /// <inheritdoc />
    public double LearningRate(double baseRate, SchedulePosition position) => baseRate * Math.Pow(Gamma, position.Epoch);
}

/// <summary>
/// Cosine annealing with warm restarts (SGDR, Loshchilov and Hutter), updated every batch: within a cycle of T epochs
/// the rate falls from base to <paramref name="minRate"/> along half a cosine, then restarts; each cycle is
/// <paramref name="periodMultiplier"/> times longer than the last. For a single annealing without restart, set the
/// period to the number of epochs.
/// </summary>
/// <param name="period">The first cycle's length in epochs; positive.</param>
/// <param name="minRate">The rate at the end of each cycle; ≥ 0. Default 0.</param>
/// <param name="periodMultiplier">Growth of the cycle length; ≥ 1. Default 1.</param>
public sealed class CosineAnnealing(int period, double minRate = 0, int periodMultiplier = 1) : IEpochScheduler
{
    /// <summary>The first cycle's length in epochs.</summary>
    public int Period { get; } = period > 0 ? period : throw ScheduleChecks.OutOfRange(nameof(CosineAnnealing), nameof(period), period, "positive");

    /// <summary>The rate at the end of each cycle.</summary>
    public double MinRate { get; } = minRate >= 0 && double.IsFinite(minRate) ? minRate : throw ScheduleChecks.OutOfRange(nameof(CosineAnnealing), nameof(minRate), minRate, "finite and ≥ 0");

    /// <summary>Growth of the cycle length.</summary>
    public int PeriodMultiplier { get; } = periodMultiplier >= 1 ? periodMultiplier : throw ScheduleChecks.OutOfRange(nameof(CosineAnnealing), nameof(periodMultiplier), periodMultiplier, "≥ 1");

    /// <inheritdoc />
    public double LearningRate(double baseRate, SchedulePosition position)
    {
        var t = position.FractionalEpoch;
        double length = Period;
        while (t >= length)                      // skip completed cycles
        {
            t -= length;
            length *= PeriodMultiplier;
        }
        return MinRate + (baseRate - MinRate) * (1 + Math.Cos(Math.PI * t / length)) / 2;
    }
}

/// <summary>
/// The one-cycle policy (Smith), updated every batch over the whole run, as PyTorch's <c>OneCycleLR</c> (cosine
/// annealing, two phases): the rate rises along a cosine from maxRate / <paramref name="divFactor"/> to
/// <paramref name="maxRate"/> until step <c>warmupFraction · totalSteps − 1</c>, then falls to
/// maxRate / (divFactor · finalDivFactor) at the last step. With <paramref name="cycleMomentum"/> (the default, as
/// PyTorch) the momentum (SGD) or β1 (Adam, AdamW) moves the other way, from <paramref name="maxMomentum"/> down to
/// <paramref name="baseMomentum"/> at the peak and back. It sets its own rates; the optimizer's is ignored.
/// Pinned against PyTorch 1.13 (rates and momenta): <c>Reference/ScheduleReferenceTests</c>.
/// </summary>
/// <param name="maxRate">The peak rate; positive.</param>
/// <param name="warmupFraction">The share of steps spent rising (PyTorch's pct_start), in (0, 1). Default 0.3.</param>
/// <param name="divFactor">Initial rate = maxRate / divFactor; ≥ 1. Default 25.</param>
/// <param name="finalDivFactor">Final rate = initial rate / finalDivFactor; ≥ 1. Default 1e4.</param>
/// <param name="cycleMomentum">Whether to cycle the optimizer's momentum or β1 inversely to the rate. Default true.</param>
/// <param name="baseMomentum">The momentum at the peak rate, in [0, 1). Default 0.85.</param>
/// <param name="maxMomentum">The momentum at the start and the end, in [baseMomentum, 1). Default 0.95.</param>
public sealed class OneCycle(double maxRate, double warmupFraction = 0.3, double divFactor = 25, double finalDivFactor = 1e4,
    bool cycleMomentum = true, double baseMomentum = 0.85, double maxMomentum = 0.95) : IEpochScheduler, IMomentumSchedule
{
    /// <summary>The peak rate.</summary>
    public double MaxRate { get; } = maxRate > 0 && double.IsFinite(maxRate) ? maxRate : throw ScheduleChecks.OutOfRange(nameof(OneCycle), nameof(maxRate), maxRate, "positive and finite");

    /// <summary>The share of steps spent rising.</summary>
    public double WarmupFraction { get; } = warmupFraction > 0 && warmupFraction < 1 ? warmupFraction : throw ScheduleChecks.OutOfRange(nameof(OneCycle), nameof(warmupFraction), warmupFraction, "in (0, 1)");

    /// <summary>Initial rate = MaxRate / DivFactor.</summary>
    public double DivFactor { get; } = divFactor >= 1 && double.IsFinite(divFactor) ? divFactor : throw ScheduleChecks.OutOfRange(nameof(OneCycle), nameof(divFactor), divFactor, "finite and ≥ 1");

    /// <summary>Final rate = initial rate / FinalDivFactor.</summary>
    public double FinalDivFactor { get; } = finalDivFactor >= 1 && double.IsFinite(finalDivFactor) ? finalDivFactor : throw ScheduleChecks.OutOfRange(nameof(OneCycle), nameof(finalDivFactor), finalDivFactor, "finite and ≥ 1");

    /// <summary>Whether the momentum (or β1) is cycled inversely to the rate.</summary>
    public bool CycleMomentum { get; } = cycleMomentum;

    /// <summary>The momentum at the peak rate.</summary>
    public double BaseMomentum { get; } = baseMomentum >= 0 && baseMomentum < 1 ? baseMomentum : throw ScheduleChecks.OutOfRange(nameof(OneCycle), nameof(baseMomentum), baseMomentum, "in [0, 1)");

    /// <summary>The momentum at the start and the end.</summary>
    public double MaxMomentum { get; } = maxMomentum >= baseMomentum && maxMomentum < 1 ? maxMomentum
        : throw ScheduleChecks.OutOfRange(nameof(OneCycle), nameof(maxMomentum), maxMomentum, $"in [baseMomentum = {baseMomentum.ToString(CultureInfo.InvariantCulture)}, 1)");

    /// <inheritdoc />
    public double LearningRate(double baseRate, SchedulePosition position)
    {
        var initial = MaxRate / DivFactor;
        return Anneal(position, initial, MaxRate, initial / FinalDivFactor);
    }

    /// <inheritdoc />
    public double? Momentum(SchedulePosition position) => CycleMomentum ? Anneal(position, MaxMomentum, BaseMomentum, MaxMomentum) : null;

    /// <summary>PyTorch's two phases: start → peak over steps [0, pct·total − 1], peak → end over [pct·total − 1, total − 1].</summary>
    private double Anneal(SchedulePosition position, double start, double peakValue, double end)
    {
        var last = (double)Math.Max(1, position.TotalSteps - 1);
        var peak = WarmupFraction * position.TotalSteps - 1;
        var step = Math.Min(position.Step, last);
        return step <= peak && peak > 0
            ? Cosine(start, peakValue, step / peak)
            : Cosine(peakValue, end, (step - peak) / (last - peak));

        static double Cosine(double from, double to, double fraction) => to + (from - to) * (1 + Math.Cos(Math.PI * fraction)) / 2;
    }
}

/// <summary>
/// Linear warm-up over the first <paramref name="warmupSteps"/> batches, rate · (step + 1) / warmupSteps, applied on top
/// of another schedule (or of the constant base rate).
/// </summary>
/// <param name="warmupSteps">Batches of warm-up; positive.</param>
/// <param name="then">The schedule to warm up into; null for the constant base rate.</param>
public sealed class LinearWarmup(int warmupSteps, IEpochScheduler? then = null) : IEpochScheduler
{
    /// <summary>Batches of warm-up.</summary>
    public int WarmupSteps { get; } = warmupSteps > 0 ? warmupSteps : throw ScheduleChecks.OutOfRange(nameof(LinearWarmup), nameof(warmupSteps), warmupSteps, "positive");

    /// <summary>The schedule after (and under) the warm-up, or null.</summary>
    public IEpochScheduler? Then { get; } = then;

    /// <inheritdoc />
    public double LearningRate(double baseRate, SchedulePosition position)
    {
        var rate = Then?.LearningRate(baseRate, position) ?? baseRate;
        return rate * Math.Min(1.0, (position.Step + 1.0) / WarmupSteps);
    }
}

/// <summary>Checks of schedule arguments: each message names the schedule, the argument, the value seen and the range.</summary>
internal static class ScheduleChecks
{
    public static double Factor(string owner, double value, string name) => value > 0 && value <= 1 ? value
        : throw OutOfRange(owner, name, value, "in (0, 1]");

    public static ArgumentOutOfRangeException OutOfRange(string owner, string name, double value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"{owner}: {name} must be {rule}; got {value}."));
}
