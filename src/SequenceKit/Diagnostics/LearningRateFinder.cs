using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>
/// The learning-rate range test (Smith): train a copy of the model for a few dozen steps while the rate grows
/// exponentially, watch the smoothed loss, stop when it exceeds 4× its minimum, and suggest a rate from where it fell
/// fastest and where it bottomed out. The user's model and optimizer are not touched.
/// </summary>
public static class LearningRateFinder
{
    /// <summary>Runs the range test.</summary>
    /// <param name="model">The model (copied; its weights are the starting point).</param>
    /// <param name="data">Training data; batches cycle through it.</param>
    /// <param name="training">The loss, optimizer and batch size to test with.</param>
    /// <param name="options">The sweep; null for 1e-7 → 10 over 100 steps.</param>
    /// <returns>Rates, smoothed losses and the suggested rate.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static LearningRateRangeResult Run(SequenceModel model, SequenceDataset data, TrainerOptions training, LearningRateRangeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(training);
        options ??= new LearningRateRangeOptions();
        if (!(options.StartRate > 0) || !(options.EndRate > options.StartRate) || double.IsInfinity(options.EndRate))
            throw new ArgumentOutOfRangeException(nameof(options), $"LearningRateRangeOptions needs 0 < StartRate < EndRate; got {options.StartRate} and {options.EndRate}.");
        if (options.Steps < 10) throw new ArgumentOutOfRangeException(nameof(options), options.Steps, $"LearningRateRangeOptions.Steps must be at least 10; got {options.Steps}.");
        if (!(options.Smoothing >= 0 && options.Smoothing < 1)) throw new ArgumentOutOfRangeException(nameof(options), options.Smoothing, $"LearningRateRangeOptions.Smoothing must be in [0, 1); got {options.Smoothing}.");

        using var plan = TrainingPlan.ForEvaluation(model, data, training);
        var setup = plan.Setup;
        using var copy = model.Copy();
        copy.train();
        using var optimizer = training.Optimizer.Create(copy.parameters());
        optimizer.zero_grad();
        var order = data.BatchOrder(new() { BatchSize = training.BatchSize, Seed = training.Seed });
        var rates = new List<double>();
        var losses = new List<double>();
        double average = 0, best = double.PositiveInfinity;
        var diverged = false;
        for (var step = 0; step < options.Steps; step++)
        {
            var rate = options.StartRate * Math.Pow(options.EndRate / options.StartRate, step / (double)(options.Steps - 1));
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
            double loss;
            using (var scope = NewDisposeScope())
            {
                // The trainer's own step (loss, clipping, the non-finite rule), at this rate.
                var batch = data.GetBatch(order[step % order.Count], copy.Device);
                loss = TrainingStep.Run(copy, batch, optimizer, training.Loss, setup, TrainingStep.Settings.Of(training) with { AccumulationSteps = 1 }).Loss;
            }
            average = options.Smoothing * average + (1 - options.Smoothing) * loss;
            var smoothed = average / (1 - Math.Pow(options.Smoothing, step + 1));            // bias-corrected
            rates.Add(rate);
            losses.Add(smoothed);
            if (!double.IsFinite(smoothed) || (step > 5 && smoothed > options.DivergenceFactor * best))
            {
                diverged = true;
                break;
            }
            best = Math.Min(best, smoothed);
        }

        var minimum = losses.IndexOf(losses.Where(double.IsFinite).Min());
        var steepest = -1;
        var slope = 0.0;
        for (var i = 1; i <= minimum; i++)
        {
            var s = (losses[i] - losses[i - 1]) / (Math.Log(rates[i]) - Math.Log(rates[i - 1]));
            if (s < slope) (slope, steepest) = (s, i);
        }
        // Smoothing lags the loss, which moves the steepest point towards higher rates; a tenth of the rate at the
        // minimum is the other classic reading. Suggest the more conservative of the two.
        var valley = rates[minimum] / 10;
        return steepest > 0 && rates[steepest] <= valley
            ? new LearningRateRangeResult(rates, losses, rates[steepest], "steepest descent", diverged)
            : new LearningRateRangeResult(rates, losses, valley, "valley", diverged);
    }
}
