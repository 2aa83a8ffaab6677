using SequenceKit.Training;
using TorchSharp;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK006: one step at the run's rate, and the rate against its optimizer family's usual one.</summary>
internal static class LearningRateCheck
{
    /// <summary>The update-to-weight ratio of one healthy step (about 1e-3: the usual rule of thumb for Adam and SGD at their usual rates).</summary>
    public const double HealthyUpdate = 1e-3;

    /// <summary>A step that moves the weights by less than this share of their norm, …</summary>
    public const double TinyUpdate = 1e-5;

    /// <summary>… while the training loss fell by less than this share over the run, is a rate too low.</summary>
    public const double SmallFall = 0.02;

    /// <summary>A step that moves the weights by more than this share of their norm, …</summary>
    public const double LargeUpdate = 0.05;

    /// <summary>… while the loss rose in half the epochs or fell by less than this share, is a rate too high.</summary>
    public const double SmallFallWhenLarge = 0.05;

    // SK006: one step of the user's optimizer at the user's last rate, on a copy of the model as trained: how far does it
    // move the weights? With a creeping or rising history, that is a fact about the rate (the experiments test the fix).
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var losses = c.Series("loss");
        if (losses.Length < 3 || !losses.All(double.IsFinite)) return None;
        var rate = c.BaseRate;
        using var copy = c.Model.Copy();
        copy.train();
        using var optimizer = c.Training.Optimizer.Create(copy.parameters());
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        double update = 0, weight = 0;
        using (var scope = NewDisposeScope())
        {
            using var batch = c.Train.GetBatch(DiagnosisContext.RandomRows(c.Train, c.Training.BatchSize, 71).Select(r => (long)r).ToArray(), copy.Device);
            var before = copy.parameters().Select(p => p.detach().clone()).ToList();
            TrainingStep.BatchLoss(copy, batch, c.Training.Loss, c.Setup).Loss.backward();
            optimizer.step();
            foreach (var (p, old) in copy.parameters().Zip(before))
            {
                update += (p.detach() - old).square().sum().to(ScalarType.Float64).item<double>();
                weight += old.square().sum().to(ScalarType.Float64).item<double>();
            }
        }
        var ratio = Math.Sqrt(update / Math.Max(weight, 1e-30));
        var change = (losses[0] - losses[^1]) / Math.Max(Math.Abs(losses[0]), 1e-12);          // relative fall over the run
        var rises = Enumerable.Range(1, losses.Length - 1).Count(i => losses[i] > losses[i - 1]);
        var evidence = E(("learning rate", rate), ("update / weight ratio", ratio), ("first loss", losses[0]), ("last loss", losses[^1]));
        if (c.UsualRate is { } family) evidence["times the usual rate"] = rate / family;
        if (ratio < TinyUpdate && change < SmallFall)
            return [new Result(new Finding("SK006", "Learning rate too low", Severity.Warning, Math.Min(0.75, 0.15 * Math.Log10(HealthyUpdate / ratio)),
                F($"One optimizer step at learning rate {rate:G3} moves the weights by {ratio:E1} of their norm (healthy: about 1e-3), and the training loss fell only {change:P1} over {losses.Length} epochs ({losses[0]:G4} → {losses[^1]:G4})."),
                evidence, F($"Raise the learning rate to about {Math.Min(rate * HealthyUpdate / Math.Max(ratio, 1e-12), 1e-2):G2}; LearningRateFinder.Run suggests one from a range test.")), false, Fallback: true)];
        if (ratio > LargeUpdate && (rises >= (losses.Length - 1) / 2.0 || change < SmallFallWhenLarge))
            return [new Result(new Finding("SK006", "Learning rate too high", Severity.Warning, Math.Min(0.75, 0.3 + 0.3 * Math.Log10(ratio / LargeUpdate)),
                F($"One optimizer step at learning rate {rate:G3} moves the weights by {ratio:P1} of their norm (healthy: well under 1%), and the training loss rose in {rises} of {losses.Length - 1} epochs ({losses[0]:G4} → {losses[^1]:G4})."),
                evidence, F($"Lower the learning rate to about {rate * 0.005 / ratio:G2}; LearningRateFinder.Run suggests one from a range test.")), false, Fallback: true)];
        // A rate far below the optimizer family's usual range (30× and less): every step barely moves the weights. A
        // fact about the setup, it stands as a fallback.
        if (c.UsualRate is { } low && low / rate >= FarFromUsualRate && double.IsFinite(ratio))
        {
            var below = low / rate;
            return [new Result(new Finding("SK006", "Learning rate too low", Severity.Warning, Math.Min(0.6, 0.25 + 0.1 * Math.Log10(below / FarFromUsualRate) + 0.05 * Math.Log10(1e-3 / Math.Max(ratio, 1e-9))),
                F($"The learning rate {rate:G3} is 1/{below:G3} of the usual rate for {c.Training.Optimizer.GetType().Name} ({low:G2}); one step at it moves the weights by {ratio:E1} of their norm (healthy: about 1e-3)."),
                evidence, F($"Raise the learning rate to about {low:G2} (now {rate:G3}); LearningRateFinder.Run suggests one from a range test.")), false, Fallback: true)];
        }
        // A rate far outside the optimizer family's usual range (30× and more) with a falling loss: the loss can fall
        // and the run still end far below what the data allows. A fact about the setup, it stands as a fallback.
        if (c.UsualRate is { } usual && rate / usual >= FarFromUsualRate && double.IsFinite(ratio))
        {
            var times = rate / usual;
            return [new Result(new Finding("SK006", "Learning rate too high", Severity.Warning, Math.Min(0.6, 0.25 + 0.1 * Math.Log10(times / 30) + 0.05 * Math.Log10(Math.Max(ratio, 1e-3) / 1e-3)),
                F($"The learning rate {rate:G3} is {times:G3}× the usual rate for {c.Training.Optimizer.GetType().Name} ({usual:G2}); one step at it moves the weights by {ratio:P1} of their norm (healthy: well under 1%)."),
                evidence, F($"Lower the learning rate to about {usual:G2} (now {rate:G3}); LearningRateFinder.Run suggests one from a range test.")), false, Fallback: true)];
        }
        return None;
    }
}
