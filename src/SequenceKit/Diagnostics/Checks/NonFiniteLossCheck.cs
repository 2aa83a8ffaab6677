using SequenceKit.Training;
using static SequenceKit.Diagnostics.Checks;

namespace SequenceKit.Diagnostics;

/// <summary>SK005: non-finite losses in the history, or exploding gradients on the model as trained.</summary>
internal static class NonFiniteLossCheck
{
    // SK005: non-finite losses in the history (typed events, never message text).
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var losses = c.Series("loss");
        var skipped = c.History.Events.OfType<SkippedStep>().ToList();
        var rolledBack = c.History.Events.OfType<WeightsRolledBack>().Count();
        const string fix = "Clip gradients (TrainerOptions.ClipGradientNorm = 1.0), lower the learning rate by 10×, scale inputs and targets, and add TerminateOnNaN to keep the last good weights.";
        if (skipped.Count > 0)
            return [new Result(new Finding("SK005", "Non-finite loss", Severity.Critical, 0.95,
                F($"{skipped.Count} batch(es) gave a NaN or infinite loss (first at epoch {skipped[0].Epoch + 1}, batch {skipped[0].Batch + 1}); the trainer did not apply those steps{(rolledBack > 0 ? F($", and {rolledBack} roll-back(s) followed") : "")}."),
                E(("skipped steps", skipped.Count), ("roll-backs", rolledBack), ("first skipped epoch", skipped[0].Epoch + 1)), fix), true)];
        var first = Array.FindIndex(losses, l => !double.IsFinite(l));
        if (first >= 0)
            return [new Result(new Finding("SK005", "Non-finite loss", Severity.Critical, 0.95,
                F($"The training loss became {losses[first]} at epoch {first + 1}."), E(("first non-finite epoch", first + 1)), fix), true)];
        if (c.History.StopReason == StopReason.NonFiniteLoss)
            return [new Result(new Finding("SK005", "Non-finite loss", Severity.Critical, 0.95, "Training stopped on a non-finite loss: " + c.History.StopMessage, E(("epochs", losses.Length)), fix), true)];
        // The model as it is now: gradient norms of a few batches (a fact about these weights, not an experiment).
        var norms = c.GradientNorms;
        if (norms.Length == 0) return None;                                  // the model could not run a batch (tried before)
        var median = norms.Order().ElementAt(norms.Length / 2);
        if (norms.All(double.IsFinite) && median < 1e3) return None;
        return [new Result(new Finding("SK005", "Exploding gradients", Severity.Critical, double.IsFinite(median) ? Math.Min(0.95, 0.5 + 0.1 * Math.Log10(median / 1e3 + 1) * 3) : 0.95,
            F($"The gradient norm of the model as trained, over {norms.Length} batch(es), is up to {norms.Max():G4} (median {median:G4}); healthy models see norms of about 0.1–10, and updates this large throw the weights around."),
            E(("largest gradient norm", norms.Max()), (MedianGradientNorm, median)), fix), true, MeasuredGradients: true)];
    }
}
