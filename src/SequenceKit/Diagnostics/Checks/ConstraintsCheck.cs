using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using TorchSharp;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK016: weight decay, dropout and clipping in the user's setup, each a candidate to relax.</summary>
internal static class ConstraintsCheck
{
    // SK016: regularizers and constraints in the user's setup, each a candidate to relax.
    public static IEnumerable<Result> Run(DiagnosisContext c) => new[] { WeightDecay(c), DropoutRates(c), Clipping(c) }.OfType<Result>().ToList();

    /// <summary>Weight decay above AdamW's default: a candidate, tested by removing it.</summary>
    private static Result? WeightDecay(DiagnosisContext c)
    {
        var decay = WeightDecayOf(c.Training.Optimizer);
        if (decay <= 0) return null;
        var fix = F($"Lower the weight decay (now {decay:G3}) to 0.01 or less, or remove it.");
        return new Result(new Finding("SK016", "Strong weight decay", Severity.Info, 0.15, F($"The optimizer decays every weight by {decay:G3} × the learning rate per step."), E(("weight decay", decay)), fix), false,
            new Treatment("SK016", "weight decay removed", fix) { Optimizer = WithoutWeightDecay(c.Training.Optimizer) });
    }

    /// <summary>Dropout (a layer, or between stacked recurrent layers): a candidate, tested by removing it.</summary>
    private static Result? DropoutRates(DiagnosisContext c)
    {
        var dropout = c.Model.Layers.Select(l => l switch { Dropout d => d.Rate, RecurrentLayer r when r.Options.Layers > 1 => r.Options.Dropout, _ => 0 }).DefaultIfEmpty(0).Max();
        if (dropout <= 0) return null;
        var fix = F($"Lower the dropout (largest rate {dropout:G2}) to 0.2–0.3, or remove it until the model fits the training data.");
        return new Result(new Finding("SK016", "Strong dropout", Severity.Info, 0.15, F($"Dropout removes up to {dropout:P0} of the activations during training."), E(("largest dropout rate", dropout)), fix), false,
            new Treatment("SK016", "dropout removed", fix)
            {
                Layers = l => l switch
                {
                    Dropout => null,
                    RecurrentLayer r => r.With(r.Units, r.Options with { Dropout = 0 }),
                    _ => l,
                },
            });
    }

    /// <summary>Gradient clipping: a candidate, tested by removing it; with SGD, the shrink of every step is measured.</summary>
    private static Result? Clipping(DiagnosisContext c)
    {
        if (c.Training.ClipGradientNorm is null && c.Training.ClipGradientValue is null) return null;
        var limit = c.Training.ClipGradientNorm ?? c.Training.ClipGradientValue!.Value;
        var fix = F($"Raise the gradient clipping limit (now {limit:G3}) to about 1, or remove it: so tight a limit shrinks every step.");
        var finding = new Finding("SK016", "Tight gradient clipping", Severity.Info, 0.15, F($"Gradients are clipped at {(c.Training.ClipGradientNorm is null ? "value" : "norm")} {limit:G3}."), E(("clipping limit", limit)), fix);
        // Clipping by norm far below the model's own gradient norm shrinks every Sgd step by the same factor:
        // measured on the model as trained, a factor of 1/100 or less stands as a fallback, its confidence growing
        // with it. (Adam, RMSprop and Adagrad divide by the gradient's own scale, so a uniform shrink barely moves them.)
        var shrink = double.NaN;
        var finite = Array.Empty<double>();
        if (c.Training.ClipGradientNorm is not null && c.Training.Optimizer is Training.Optimizers.Sgd)
        {
            try { finite = c.GradientNorms.Where(double.IsFinite).Order().ToArray(); }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { }   // no norms: no measurement
            if (finite.Length > 0) shrink = limit / finite[finite.Length / 2];
        }
        else if (c.Training.ClipGradientValue is { } value && c.Training.Optimizer is Training.Optimizers.Sgd)
        {
            // Clipping by value: the share of the gradient's norm that survives clamping every element to ±value.
            try { shrink = ValueClipShare(c, value); }
            catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException) { }
            if (shrink < MaxShrink)
                finding = finding with
                {
                    Severity = Severity.Warning,
                    Confidence = Math.Min(0.6, 0.25 + 0.1 * Math.Log10(MaxShrink / shrink)),
                    Message = F($"Gradients are clipped at value {value:G3}: clamping every element keeps {shrink:G2} of the model's gradient norm (median of 4 batches), so every Sgd step is shrunk to that share of its size."),
                    Evidence = E(("clipping limit", value), ("step shrink factor", shrink)),
                };
        }
        if (shrink < MaxShrink && c.Training.ClipGradientNorm is not null)
            finding = finding with
            {
                Severity = Severity.Warning,
                Confidence = Math.Min(0.6, 0.25 + 0.1 * Math.Log10(0.01 / shrink)),
                Message = F($"Gradients are clipped at norm {limit:G3}, while the model's own gradient norm is {limit / shrink:G3} (median of {finite.Length} batches): every step is shrunk to {shrink:G2} of its size."),
                Evidence = E(("clipping limit", limit), (MedianGradientNorm, limit / shrink), ("step shrink factor", shrink)),
            };
        // A measured shrink explains why another change works (Adam's per-weight scaling undoes it; a rate 100×
        // higher offsets it): it stands beside a confirmed change, ranked below it, rather than dropping to Info.
        var measured = shrink < MaxShrink;
        return new Result(finding, false, new Treatment("SK016", "gradient clipping removed", fix) { RemoveClipping = true }, Fallback: measured, BesideConfirmed: measured);
    }

    /// <summary>Median over 4 shuffled training batches of ‖clamp(g, ±value)‖ / ‖g‖ for the model as trained.</summary>
    private static double ValueClipShare(DiagnosisContext c, double value)
    {
        var shares = PerBatchGradients(c, 52, copy =>
        {
            double full = 0, kept = 0;
            foreach (var g in copy.parameters().Select(p => p.grad).OfType<TorchSharp.torch.Tensor>())
            {
                full += g.square().sum().to(ScalarType.Float64).item<double>();
                kept += g.clamp(-value, value).square().sum().to(ScalarType.Float64).item<double>();
            }
            return full > 0 && double.IsFinite(full) ? Math.Sqrt(kept / full) : double.NaN;
        }).Where(double.IsFinite).Order().ToArray();
        return shares.Length == 0 ? double.NaN : shares[shares.Length / 2];
    }

    /// <summary>The optimizer's weight decay; AdamW's default 0.01 (and up to 0.05) is not a candidate.</summary>
    private static double WeightDecayOf(Training.Optimizers.IOptimizerFactory optimizer) => optimizer switch
    {
        Training.Optimizers.AdamW a => a.WeightDecay > 0.05 ? a.WeightDecay : 0,
        Training.Optimizers.IOptimizerFamily family => family.WeightDecay,
        _ => 0,
    };

    private static Training.Optimizers.IOptimizerFactory WithoutWeightDecay(Training.Optimizers.IOptimizerFactory optimizer) =>
        optimizer is Training.Optimizers.IOptimizerFamily family ? family.WithoutWeightDecay() : optimizer;
}
