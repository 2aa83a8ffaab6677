using SequenceKit.Layers;
using SequenceKit.Training;
using TorchSharp;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK004: the gradient that reaches the first steps of a recurrent layer.</summary>
internal static class VanishingGradientsCheck
{
    /// <summary>A SimpleRnn whose first-steps gradient is below this share of its last-steps gradient is a candidate (docs/diagnostics.md, SK004).</summary>
    public const double SimpleRnnRatio = 1e-3;

    /// <summary>A gated cell (Lstm, Gru) needs a far smaller ratio: below this, its gates no longer carry the early steps.</summary>
    public const double GatedRatio = 1e-6;

    // SK004: the gradient that reaches the first steps, a cheap candidate generator; the Gru experiment decides.
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        var index = c.Model.Layers.ToList().FindIndex(l => l is RecurrentLayer);
        if (index < 0) throw new NotCheckableException("SK004 needs a recurrent layer; the model has none");
        var layer = (RecurrentLayer)c.Model.Layers[index];
        using var copy = c.Model.Copy();
        copy.eval();
        using var scope = NewDisposeScope();
        using var batch = c.Train.GetBatch(DiagnosisContext.RandomRows(c.Train, 64, 41).Select(r => (long)r).ToArray(), copy.Device);
        SequenceBatch flow;
        using (no_grad())
        {
            flow = DiagnosisContext.LayerInput(copy, batch);
            for (var i = 0; i < index; i++) flow = copy.Layers[i].Forward(flow);
        }
        var steps = flow.Values.shape[1];
        if (steps < 8) throw new NotCheckableException(F($"SK004 needs sequences of at least 8 steps; these have {steps}"));
        var x = flow.Values.detach().requires_grad_(true);                                     // (B, T, F)
        flow = new SequenceBatch(x, batch.Lengths);
        for (var i = index; i < copy.Layers.Count - 1; i++) flow = copy.Layers[i].Forward(flow);
        // The trainer's loss: from the logits of a softmax/sigmoid Dense, as TrainingStep.BatchLoss computes it.
        var logits = copy.Layers[^1] is Dense dense ? dense.PreActivation(flow) : copy.Layers[^1].Forward(flow).Values;
        var output = copy.Layers[^1] is Dense last ? last.Activate(logits) : logits;
        c.Training.Loss.ComputeFromLogits(logits, output, batch.Targets, c.Setup, null).backward();
        var perStep = x.grad!.square().sum([2]).sqrt().mean([0]).to(ScalarType.Float64).data<double>().ToArray();   // (T)
        var window = (int)Math.Max(1, steps / 10);
        var early = perStep.Take(window).Average();
        var late = perStep.Skip((int)steps - window).Average();
        if (!(late > 1e-12)) return None;
        var ratio = early / late;
        if (!(layer is SimpleRnn && ratio < SimpleRnnRatio) && !(ratio < GatedRatio)) return None;
        var evidence = E(("gradient at early steps", early), ("gradient at late steps", late), ("early / late ratio", ratio), ("time steps", steps));
        var fix = layer is SimpleRnn
            ? "Replace SimpleRnn with Gru or Lstm (same units), which carry information through time; or shorten the sequences."
            : "Use shorter windows (TimeSeriesWindows with a smaller Window) or truncate sequences (PaddingOptions.MaxLength), or summarize early steps into features.";
        var finding = new Finding("SK004", "Gradients vanish through time", Severity.Warning, Math.Min(0.8, 0.08 * -Math.Log10(Math.Max(ratio, 1e-300))),
            F($"In the {layer.TypeName} (layer {index}), the loss gradient at the first {window} step(s) is {ratio:E1} of that at the last {window}: the first steps of each {steps}-step sequence barely influence learning."),
            evidence, fix);
        // Only a SimpleRnn's ratio stands on its own: in a gated cell it is usually saturation from another cause.
        return [new Result(finding, false, layer is SimpleRnn ? GatedInsteadOfSimple(fix) : null, Fallback: layer is SimpleRnn)];
    }

    public static Treatment GatedInsteadOfSimple(string fix) => new("SK004", "Gru in place of SimpleRnn", fix)
    {
        Layers = l => l is SimpleRnn s
            ? new Gru(s.Units, new RecurrentOptions { Layers = s.Options.Layers, Bidirectional = s.Options.Bidirectional, Dropout = s.Options.Dropout, ReturnSequences = s.Options.ReturnSequences })
            : l,
    };
}
