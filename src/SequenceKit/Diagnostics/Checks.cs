using System.Globalization;
using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>Thrown by a check that cannot run on this model or data; becomes a note in the report.</summary>
internal sealed class NotCheckableException(string reason) : Exception(reason);

/// <summary>
/// The plain checks: facts about the data, the setup and the history that need no experiment. Some are decisive on
/// their own (a non-finite loss, an output range that cannot reach the targets, inputs that are all constant); the
/// rest are candidates, which the controlled experiments in <see cref="TrainingDoctor"/> confirm or demote.
/// </summary>
internal static class Checks
{
    /// <summary>A check's result: a finding, whether it stands on its own, and the experiment that would test it.</summary>
    /// <param name="Finding">What the check found.</param>
    /// <param name="Decisive">It stands on its own (a fact that needs no experiment).</param>
    /// <param name="Treatment">The experiment that would confirm it, or null.</param>
    /// <param name="Fallback">Measured on the user's own model or history: it stands when the run is not healthy and no experiment confirmed a cause.</param>
    /// <param name="BesideConfirmed">A fallback that also stands beside a confirmed cause: it measures something the
    /// experiments' losses do not (which classes the model misses).</param>
    public sealed record Result(Finding Finding, bool Decisive, Treatment? Treatment = null, bool Fallback = false, bool BesideConfirmed = false);

    public sealed record Check(string Code, Func<DiagnosisContext, IEnumerable<Result>> Run);

    public static IReadOnlyList<Check> All { get; } =
    [
        new("SK002", ClassImbalance),
        new("SK003", InputScale),
        new("SK004", VanishingGradientsThroughTime),
        new("SK005", NonFiniteLoss),
        new("SK006", LearningRate),
        new("SK007", LossOutputMismatch),
        new("SK008", FitGap),
        new("SK009", SaturatedOrDeadUnits),
        new("SK010", Vocabulary),
        new("SK012", TargetScale),
        new("SK014", OrderedBatches),
        new("SK016", Constraints),
        new("SK017", ConstantInputs),
        new("SK018", DistributionShiftCheck.Run),
        new("SK019", TooFewUpdatesCheck.Run),
        new("SK020", TokenPaddingCheck.Run),
        new("SK022", StillImprovingCheck.Run),
    ];

    /// <summary>The evidence name of the model's median gradient norm (SK005, SK016), which the ranking reads.</summary>
    public const string MedianGradientNorm = "median gradient norm";

    /// <summary>The evidence name of the learning rate a confirmed SK006 finding suggests (a program that applies the fix reads it).</summary>
    public const string SuggestedRate = Finding.SuggestedLearningRate;

    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static Dictionary<string, double> E(params (string Name, double Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    private static IEnumerable<Result> None => [];

    // SK002
    private static IEnumerable<Result> ClassImbalance(DiagnosisContext c)
    {
        var labels = c.TrainLabels ?? throw new NotCheckableException("SK002 applies to classification targets");
        var distribution = ClassDistribution.Of(labels, (int)c.ClassCount);
        if (distribution.ImbalanceRatio < 3) return None;
        var present = distribution.Counts.Count(x => x > 0);
        var weights = distribution.Counts.Select(count => count == 0 ? 0 : (double)distribution.Total / (present * count)).ToArray();
        var weighted = c.Training.ClassWeights is not null;
        var evidence = E(("imbalance ratio", distribution.ImbalanceRatio), ("majority class", distribution.MajorityClass), ("majority share", distribution.MajorityShare));
        var finding = new Finding("SK002", "Imbalanced classes", Severity.Info, 0.2,
            F($"The largest class ({distribution.MajorityClass}) has {distribution.ImbalanceRatio:F1}× the samples of the smallest; the majority share is {distribution.MajorityShare:F4}, the accuracy of always predicting it.") +
            (weighted ? " Class weights are already set." : ""),
            evidence,
            $"Pass balanced class weights: TrainerOptions.ClassWeights = [{string.Join(", ", weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))}] (Labels.BalancedClassWeights), and judge the model by MacroF1 or MacroRecall, not accuracy.");
        return [new Result(finding, false, weighted ? null : new Treatment("SK002", "balanced class weights", finding.Fix) { ClassWeights = true })];
    }

    /// <summary>
    /// SK002 measured on the user's model: the recall of the classes that have at most a third of the largest class's
    /// training samples, against the largest class's own recall, on the evaluated set. A model that the imbalance pulls
    /// to the majority recalls it and misses the rest; a gap of 0.3 or more makes the candidate a fallback (it stands
    /// when the run is not healthy and no experiment confirmed a cause), its confidence growing with the gap. Fewer
    /// than 3 evaluated rows of the smaller classes are no measurement: the candidate stays as it was. A confirmed
    /// faster route (a higher rate, more units) does not explain which classes are missed, so it also stands beside one.
    /// </summary>
    public static void ClassImbalanceOnModel(DiagnosisContext c, List<Result> results)
    {
        var index = results.FindIndex(r => r.Finding.Code == "SK002" && r.Treatment is not null);
        if (index < 0) return;
        var e = c.Evaluation;
        if (e.Actual.Length != e.Rows) return;                     // per-step targets: the class counts are per row
        var counts = ClassDistribution.Of(c.TrainLabels!, (int)c.ClassCount).Counts;
        var majority = Array.IndexOf(counts.ToArray(), counts.Max());
        var smaller = Enumerable.Range(0, counts.Count).Where(k => counts[k] > 0 && 3 * counts[k] <= counts[majority]).ToHashSet();
        double Recall(long k)
        {
            var rows = Enumerable.Range(0, e.Actual.Length).Where(i => e.Actual[i] == k).ToArray();
            return rows.Length == 0 ? double.NaN : (double)rows.Count(i => e.Predicted[i] == k) / rows.Length;
        }
        var minorityRows = e.Actual.Count(a => smaller.Contains((int)a));
        var majorityRecall = Recall(majority);
        var minorityRecall = smaller.Select(k => Recall(k)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        if (minorityRows < 3 || !double.IsFinite(majorityRecall) || !double.IsFinite(minorityRecall)) return;
        var gap = majorityRecall - minorityRecall;
        if (gap < 0.3) return;
        var r = results[index];
        var evidence = new Dictionary<string, double>(r.Finding.Evidence)
        {
            ["majority class recall"] = majorityRecall,
            ["smaller classes' recall"] = minorityRecall,
            ["smaller classes' evaluated items"] = minorityRows,
        };
        results[index] = r with
        {
            Finding = r.Finding with
            {
                Severity = Severity.Warning,
                Confidence = Math.Min(0.6, 0.25 + 0.35 * gap),
                Message = r.Finding.Message + F($" On the {e.Actual.Length} {c.EvaluatedName} items the model finds {majorityRecall:P0} of class {majority}'s but {minorityRecall:P0} of the smaller classes' ({minorityRows} items): the imbalance pulls its predictions to the majority."),
                Evidence = evidence,
            },
            Fallback = true,
            BesideConfirmed = true,
        };
    }

    /// <summary>Inputs whose largest feature scale is below this (100× under unit scale) are strong evidence on their own.</summary>
    public const double FarBelowUnitScale = 0.01;

    /// <summary>A rate this many times above or below its optimizer family's usual one is strong evidence on its own.</summary>
    public const double FarFromUsualRate = 30;

    /// <summary>Clipping that leaves at most this share of an SGD step is strong evidence on its own.</summary>
    public const double MaxShrink = 0.01;

    // SK003: too large or too small
    private static IEnumerable<Result> InputScale(DiagnosisContext c)
    {
        if (c.Model.InputShape.Kind == ShapeKind.Tokens) throw new NotCheckableException("SK003 applies to float inputs; the model takes tokens");
        using var scope = NewDisposeScope();
        var (mean, std, peak) = c.InputStatistics;
        var scale = Enumerable.Range(0, mean.Length).Select(f => Math.Max(Math.Abs(mean[f]), std[f])).ToArray();
        var large = Enumerable.Range(0, mean.Length).Where(f => peak[f] > 20 || std[f] > 10 || (Math.Abs(mean[f]) > 5 && Math.Abs(mean[f]) > 3 * std[f])).ToList();
        var small = Enumerable.Range(0, mean.Length).Where(f => peak[f] > 0 && scale[f] < 0.02).ToList();
        if (2 * small.Count < mean.Length) small.Clear();                  // one near-empty column is not "scaled twice"
        if (large.Count == 0 && small.Count == 0) return None;
        var tooLarge = large.Count > 0;
        var worst = tooLarge ? large.MaxBy(f => scale[f]) : small.MinBy(f => scale[f]);
        var evidence = new Dictionary<string, double>();
        foreach (var f in (tooLarge ? large : small).Take(6))
        {
            evidence[$"feature {f} mean"] = mean[f];
            evidence[$"feature {f} std"] = std[f];
            evidence[$"feature {f} max |x|"] = peak[f];
        }
        var message = tooLarge
            ? F($"{large.Count} of {mean.Length} input feature(s) are far above unit scale; feature {worst} has mean {mean[worst]:G4}, standard deviation {std[worst]:G4} and values up to {peak[worst]:G4}. Recurrent units saturate on such inputs and gradients vanish.")
            : F($"{small.Count} of {mean.Length} input feature(s) are far below unit scale; feature {worst} has mean {mean[worst]:G4}, standard deviation {std[worst]:G4} and values only up to {peak[worst]:G4} (scaled twice?). The inputs barely move the units, so the model sees almost nothing.");
        const string fix = "Fit a StandardScaler on the training inputs only and transform every set with it (scale once: data already in [0, 1] needs no second division): var scaler = new StandardScaler(); var trainX = scaler.FitTransform(trainInputs); var validX = scaler.Transform(validInputs); keep it with the model (model.Scalers[\"inputs\"] = scaler).";
        var finding = new Finding("SK003", tooLarge ? "Inputs are not scaled" : "Inputs are scaled far below unit scale", Severity.Warning,
            Math.Min(0.7, 0.15 * Math.Abs(Math.Log10(Math.Max(scale[worst], 1e-300)))), message, evidence, fix);
        // Far above unit scale, or 100× and more below it (scaled twice): a measured fact that stands as a fallback.
        return [new Result(finding, false, new Treatment("SK003", "the inputs standardized", fix) { StandardizeInputs = true }, Fallback: tooLarge || scale[worst] < FarBelowUnitScale)];
    }

    /// <summary>Per-feature mean, standard deviation and largest magnitude over a training sample (real steps only).</summary>
    internal static (double[] Mean, double[] Std, double[] Peak) FeatureStatistics(DiagnosisContext c) => FeatureStatistics(c, c.Train, 31);

    /// <summary>Per-feature mean, standard deviation and largest magnitude over a seeded sample of a dataset's rows (real steps only).</summary>
    internal static (double[] Mean, double[] Std, double[] Peak) FeatureStatistics(DiagnosisContext c, SequenceDataset data, int seed)
    {
        using var scope = NewDisposeScope();
        var rows = DiagnosisContext.RandomRows(data, 4 * c.Options.SampleSize, seed).Select(r => (long)r).ToArray();
        using var batch = data.GetBatch(rows);
        var x = batch.Inputs.to(ScalarType.Float64);
        var flat = x.reshape(-1, x.shape[^1]);                                                 // (rows·T, F)
        if (batch.Lengths is { } lengths)
            flat = flat[arange(x.shape[1]).unsqueeze(0).lt(lengths.unsqueeze(1)).reshape(-1)];
        return (flat.mean([0]).data<double>().ToArray(), flat.std(0, false).data<double>().ToArray(), flat.abs().amax([0]).data<double>().ToArray());
    }

    // SK004: the gradient that reaches the first steps, a cheap candidate generator; the Gru experiment decides.
    private static IEnumerable<Result> VanishingGradientsThroughTime(DiagnosisContext c)
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
        // The trainer's loss: from the logits of a softmax/sigmoid Dense, as Trainer.BatchLoss computes it.
        var logits = copy.Layers[^1] is Dense dense ? dense.PreActivation(flow) : copy.Layers[^1].Forward(flow).Values;
        var output = copy.Layers[^1] is Dense last ? last.Activate(logits) : logits;
        c.Training.Loss.ComputeFromLogits(logits, output, batch.Targets, c.Setup, null).backward();
        var perStep = x.grad!.square().sum([2]).sqrt().mean([0]).to(ScalarType.Float64).data<double>().ToArray();   // (T)
        var window = (int)Math.Max(1, steps / 10);
        var early = perStep.Take(window).Average();
        var late = perStep.Skip((int)steps - window).Average();
        if (!(late > 1e-12)) return None;
        var ratio = early / late;
        if (!(layer is SimpleRnn && ratio < 1e-3) && !(ratio < 1e-6)) return None;
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

    // SK005: non-finite losses in the history (typed events, never message text).
    private static IEnumerable<Result> NonFiniteLoss(DiagnosisContext c)
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
            E(("largest gradient norm", norms.Max()), (MedianGradientNorm, median)), fix), true)];
    }

    /// <summary>The gradient norm of a copy of the model as trained on 4 shuffled training batches (seeded), unclipped.</summary>
    public static double[] GradientNormsOf(DiagnosisContext c)
    {
        using var copy = c.Model.Copy();
        copy.train();
        var norms = new List<double>();
        foreach (var rows in c.Train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = true, Seed = 51 }).Take(4))
        {
            using var scope = NewDisposeScope();
            using var batch = c.Train.GetBatch(rows, copy.Device);
            using (NewDisposeScope()) copy.zero_grad();
            Trainer.BatchLoss(copy, batch, c.Training.Loss, c.Setup).Loss.backward();
            norms.Add(nn.utils.clip_grad_norm_(copy.parameters(), double.PositiveInfinity));
        }
        return [.. norms];
    }

    // SK006: one step of the user's optimizer at the user's last rate, on a copy of the model as trained: how far does it
    // move the weights? With a creeping or rising history, that is a fact about the rate (the experiments test the fix).
    private static IEnumerable<Result> LearningRate(DiagnosisContext c)
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
            Trainer.BatchLoss(copy, batch, c.Training.Loss, c.Setup).Loss.backward();
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
        if (ratio < 1e-5 && change < 0.02)
            return [new Result(new Finding("SK006", "Learning rate too low", Severity.Warning, Math.Min(0.75, 0.15 * Math.Log10(1e-3 / ratio)),
                F($"One optimizer step at learning rate {rate:G3} moves the weights by {ratio:E1} of their norm (healthy: about 1e-3), and the training loss fell only {change:P1} over {losses.Length} epochs ({losses[0]:G4} → {losses[^1]:G4})."),
                evidence, F($"Raise the learning rate to about {Math.Min(rate * 1e-3 / Math.Max(ratio, 1e-12), 1e-2):G2}; LearningRateFinder.Run suggests one from a range test.")), false, Fallback: true)];
        if (ratio > 0.05 && (rises >= (losses.Length - 1) / 2.0 || change < 0.05))
            return [new Result(new Finding("SK006", "Learning rate too high", Severity.Warning, Math.Min(0.75, 0.3 + 0.3 * Math.Log10(ratio / 0.05)),
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

    // SK007
    private static IEnumerable<Result> LossOutputMismatch(DiagnosisContext c)
    {
        var s = c.Setup;
        var (low, high) = s.OutputActivation switch
        {
            Activation.Sigmoid or Activation.Softmax => (0.0, 1.0),
            Activation.Tanh => (-1.0, 1.0),
            Activation.Relu => (0.0, double.PositiveInfinity),
            _ => (double.NegativeInfinity, double.PositiveInfinity),
        };
        if (!s.TargetsAreIndices && !s.TargetsAreDistributions && (s.TargetMin < low - 1e-6 || s.TargetMax > high + 1e-6))
            return [new Result(new Finding("SK007", "Output range cannot reach the targets", Severity.Critical, 0.99,
                F($"The last Dense uses {s.OutputActivation}, whose outputs lie in [{low}, {high}], but the targets range from {s.TargetMin:G4} to {s.TargetMax:G4}."),
                E(("target min", s.TargetMin), ("target max", s.TargetMax), ("output min", low), ("output max", high)),
                "Remove the output activation for regression (Dense(units) without activation), or scale the targets into the output's range (MinMaxScaler) and invert predictions."), true)];
        var builtIn = c.Training.Loss is CrossEntropyLoss or BinaryCrossEntropyLoss or MeanSquaredErrorLoss or MeanAbsoluteErrorLoss or HuberLoss;
        var losses = c.Series("loss");
        if (!builtIn && s.OutputActivation is Activation.Softmax or Activation.Sigmoid && losses.Length >= 3 && losses[^1] > losses[0] * 0.97)
            return [new Result(new Finding("SK007", "Custom loss on probabilities", Severity.Warning, 0.6,
                F($"The custom loss {c.Training.Loss.GetType().Name} runs on {s.OutputActivation} probabilities and barely moved ({losses[0]:G4} → {losses[^1]:G4}); a loss that expects logits would apply a second softmax/sigmoid and flatten the gradients."),
                E(("first loss", losses[0]), ("last loss", losses[^1])),
                "Give the loss what it expects: remove the output activation and use logits, or use CrossEntropyLoss / BinaryCrossEntropyLoss, which read both correctly."), true)];
        return None;
    }

    // SK008: overfitting only on a sustained rise, beyond the validation loss's own epoch-to-epoch noise.
    private static IEnumerable<Result> FitGap(DiagnosisContext c)
    {
        var train = c.Series("loss");
        var validation = c.Series("val_loss");
        if (train.Length < 6) throw new NotCheckableException(F($"SK008 needs at least 6 epochs of history; there are {train.Length}"));
        if (validation.Length != train.Length) return None;
        var best = Array.IndexOf(validation, validation.Min());
        var after = validation.Length - 1 - best;
        if (after < 3) return None;
        // Noise: the median absolute epoch-to-epoch change of the validation loss up to its best epoch.
        var changes = Enumerable.Range(1, Math.Max(1, best)).Where(i => i < validation.Length).Select(i => Math.Abs(validation[i] - validation[i - 1])).Order().ToArray();
        var noise = changes.Length == 0 ? 0 : changes[changes.Length / 2];
        var rise = validation[^1] - validation[best];
        var sustained = Enumerable.Range(best + 1, after).Count(i => validation[i] > validation[best] + noise) >= Math.Min(3, after);
        if (!(sustained && rise > 3 * noise && rise > 0.05 * validation[best] && train[^1] < train[best])) return None;
        return [new Result(new Finding("SK008", "Overfitting", Severity.Warning, Math.Min(0.9, rise / (rise + 3 * Math.Max(noise, 1e-12))) * (Status.Of(c).Stuck ? 0.4 : 1),
            F($"The validation loss was lowest at epoch {best + 1} ({validation[best]:G4}) and has stayed above it for {after} epochs, rising to {validation[^1]:G4} ({rise / Math.Max(noise, 1e-12):F1}× its epoch-to-epoch noise of {noise:G3}), while the training loss kept falling to {train[^1]:G4}."),
            E(("best val_loss epoch", best + 1), ("best val_loss", validation[best]), ("last val_loss", validation[^1]), ("last loss", train[^1]), ("val_loss noise", noise)),
            "Add EarlyStopping(new() { Monitor = \"val_loss\", RestoreBestWeights = true }), Dropout layers or RecurrentOptions.Dropout, or more training data."), true)];
    }

    // SK009: activations of the model as trained (a fact about these weights, on a training sample).
    private static IEnumerable<Result> SaturatedOrDeadUnits(DiagnosisContext c)
    {
        using var copy = c.Model.Copy();
        copy.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        using var batch = c.Train.GetBatch(DiagnosisContext.RandomRows(c.Train, c.Options.SampleSize, 61).Select(r => (long)r).ToArray(), copy.Device);
        var flow = DiagnosisContext.LayerInput(copy, batch);
        for (var i = 0; i < copy.Layers.Count - 1; i++)                                        // the output layer's range is the loss's business
        {
            var layer = copy.Layers[i];
            flow = layer.Forward(flow);
            var output = flow.Values.reshape(-1, flow.Values.shape[^1]);                          // (items, units)
            if (layer is SimpleRnn { Options.Activation: SimpleRnnActivation.Relu } or Dense { Activation: Activation.Relu })
            {
                var dead = output.amax([0]).le(0).to(ScalarType.Float64).mean().item<double>();
                if (dead > 0.5)
                    return [new Result(new Finding("SK009", "Dead units", Severity.Critical, Math.Min(0.95, 0.9 * dead),
                        F($"{dead:P0} of the units of layer {i} ({layer.TypeName}, ReLU) never activate on {output.shape[0]} training items: they pass no gradient and will not recover."),
                        E(("dead share", dead), ("layer", i)),
                        "Re-initialize and lower the learning rate, scale the inputs, or use tanh (SimpleRnnOptions.Activation = Tanh) / an Lstm or Gru."), true)];
            }
            else if (layer is RecurrentLayer recurrent)
            {
                var saturated = output.abs().gt(0.97).to(ScalarType.Float64).mean().item<double>();
                if (saturated > 0.5)
                    return [new Result(new Finding("SK009", "Saturated recurrent units", Severity.Info, 0.2,
                        F($"{saturated:P0} of the {recurrent.TypeName} (layer {i}) outputs are within 3% of ±1: saturated units pass almost no gradient."),
                        E(("saturated share", saturated), ("layer", i)),
                        "Scale the inputs (StandardScaler), lower the learning rate, or use Lstm/Gru in place of SimpleRnn."), false)];
            }
        }
        return None;
    }

    // SK010
    private static IEnumerable<Result> Vocabulary(DiagnosisContext c)
    {
        if (c.Model.Layers[0] is not Embedding embedding) throw new NotCheckableException("SK010 applies to models that start with an Embedding");
        using var scope = NewDisposeScope();
        var tokens = c.Train.Inputs.flatten();
        var real = tokens.masked_select(tokens.ne(Preprocessing.Vocabulary.PaddingIndex));
        var total = real.numel();
        if (total == 0) throw new NotCheckableException("SK010 found no non-padding tokens");
        var unknown = real.eq(Preprocessing.Vocabulary.UnknownIndex).sum().item<long>() / (double)total;
        var counts = real.bincount(null, embedding.VocabularySize).data<long>().ToArray();
        var rare = counts.Skip(2).Count(n => n <= 1) / (double)Math.Max(1, embedding.VocabularySize - 2);
        var evidence = E(("out-of-vocabulary rate", unknown), ("vocabulary size", embedding.VocabularySize), ("share of entries seen at most once", rare), ("training tokens", total));
        if (unknown > 0.1)
            return [new Result(new Finding("SK010", "Many out-of-vocabulary tokens", unknown > 0.3 ? Severity.Critical : Severity.Warning, Math.Min(0.97, 0.6 + unknown),
                F($"{unknown:P1} of the training tokens are the unknown token (index 1): the model cannot tell them apart."),
                evidence, "Build the Vocabulary on the training texts with a larger MaxSize or a lower MinFrequency, and check its UnknownRate on the validation texts."), unknown > 0.3)];
        if (rare > 0.7 && embedding.VocabularySize > 100)
            return [new Result(new Finding("SK010", "Vocabulary larger than the data supports", Severity.Info, 0.3,
                F($"{rare:P0} of the {embedding.VocabularySize} vocabulary entries occur at most once in {total} training tokens: their embeddings cannot be learned."),
                evidence, "Rebuild the Vocabulary with MinFrequency = 2 or a smaller MaxSize, so rare tokens share the unknown index."), false)];
        return None;
    }

    // SK012: too large or too small
    private static IEnumerable<Result> TargetScale(DiagnosisContext c)
    {
        var s = c.Setup;
        if (s.TargetsAreIndices || s.TargetsAreDistributions) throw new NotCheckableException("SK012 applies to regression targets");
        using var scope = NewDisposeScope();
        var y = c.Train.Targets.to(ScalarType.Float64).reshape(-1, Math.Max(1, s.OutputUnits));
        var mean = y.mean([0]).data<double>().ToArray();
        var std = y.std(0, false).data<double>().ToArray();
        var scale = Enumerable.Range(0, mean.Length).Select(j => Math.Max(Math.Abs(mean[j]), std[j])).ToArray();
        var worst = Enumerable.Range(0, mean.Length).MaxBy(j => Math.Abs(Math.Log10(Math.Max(scale[j], 1e-300))));
        if (scale[worst] is <= 10 and >= 0.01) return None;
        const string fix = "Fit a StandardScaler on the training targets, train on scaled targets, and InverseTransform the predictions; keep it with the model (model.Scalers[\"targets\"] = scaler).";
        var finding = new Finding("SK012", "Regression targets are not scaled", Severity.Warning, Math.Min(0.7, 0.15 * Math.Abs(Math.Log10(Math.Max(scale[worst], 1e-300)))),
            F($"Target column {worst} has mean {mean[worst]:G4} and standard deviation {std[worst]:G4}: losses and gradients are {scale[worst]:G3}× their size at unit scale."),
            E(("target mean", mean[worst]), ("target std", std[worst])), fix);
        return [new Result(finding, false, new Treatment("SK012", "the targets standardized", fix) { StandardizeTargets = true }, Fallback: scale[worst] > 10)];
    }

    // SK014: label runs in the order batches are drawn when shuffling is off.
    private static IEnumerable<Result> OrderedBatches(DiagnosisContext c)
    {
        if (c.Training.Shuffle) return None;
        var labels = c.TrainLabels ?? throw new NotCheckableException("SK014 applies to classification targets");
        var runs = 1 + Enumerable.Range(1, labels.Length - 1).Count(i => labels[i] != labels[i - 1]);
        // A random order of these labels would change class about n·(1 − Σ p²) times.
        var shares = labels.GroupBy(l => l).Select(g => (double)g.Count() / labels.Length).ToArray();
        var expected = 1 + (labels.Length - 1) * (1 - shares.Sum(p => p * p));
        var single = c.Train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = false })
            .Count(b => b.Select(r => labels[r]).Distinct().Count() == 1) / (double)Math.Max(1, (labels.Length + c.Training.BatchSize - 1) / c.Training.BatchSize);
        if (runs > 0.5 * expected) return None;
        const string fix = "Shuffle the training batches (TrainerOptions.Shuffle = true, the default), or shuffle the rows once before building the dataset.";
        var finding = new Finding("SK014", "Training batches are ordered", Severity.Warning, 0.1 + 0.5 * (1 - runs / expected),
            F($"With Shuffle = false the training rows come in {runs} runs of one label (a random order would give about {expected:F0}); {single:P0} of the batches hold a single class, so each step pulls the model towards the class of the moment."),
            E(("label runs", runs), ("label runs in a random order", expected), ("share of single-class batches", single)), fix);
        return [new Result(finding, false, new Treatment("SK014", "the batches shuffled", fix) { Shuffle = true }, Fallback: true)];
    }

    // SK016: regularizers and constraints in the user's setup, each a candidate to relax.
    private static IEnumerable<Result> Constraints(DiagnosisContext c)
    {
        var results = new List<Result>();
        var decay = WeightDecayOf(c.Training.Optimizer);
        if (decay > 0)
        {
            var fix = F($"Lower the weight decay (now {decay:G3}) to 0.01 or less, or remove it.");
            results.Add(new Result(new Finding("SK016", "Strong weight decay", Severity.Info, 0.15, F($"The optimizer decays every weight by {decay:G3} × the learning rate per step."), E(("weight decay", decay)), fix), false,
                new Treatment("SK016", "weight decay removed", fix) { Optimizer = WithoutWeightDecay(c.Training.Optimizer) }));
        }
        var dropout = c.Model.Layers.Select(l => l switch { Dropout d => d.Rate, RecurrentLayer r when r.Options.Layers > 1 => r.Options.Dropout, _ => 0 }).DefaultIfEmpty(0).Max();
        if (dropout > 0)
        {
            var fix = F($"Lower the dropout (largest rate {dropout:G2}) to 0.2–0.3, or remove it until the model fits the training data.");
            results.Add(new Result(new Finding("SK016", "Strong dropout", Severity.Info, 0.15, F($"Dropout removes up to {dropout:P0} of the activations during training."), E(("largest dropout rate", dropout)), fix), false,
                new Treatment("SK016", "dropout removed", fix)
                {
                    Layers = l => l switch
                    {
                        Dropout => null,
                        RecurrentLayer r => r.With(r.Units, r.Options with { Dropout = 0 }),
                        _ => l,
                    },
                }));
        }
        if (c.Training.ClipGradientNorm is not null || c.Training.ClipGradientValue is not null)
        {
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
            results.Add(new Result(finding, false, new Treatment("SK016", "gradient clipping removed", fix) { RemoveClipping = true }, Fallback: shrink < MaxShrink));
        }
        return results;
    }

    /// <summary>Median over 4 shuffled training batches of ‖clamp(g, ±value)‖ / ‖g‖ for the model as trained.</summary>
    private static double ValueClipShare(DiagnosisContext c, double value)
    {
        using var copy = c.Model.Copy();
        copy.train();
        var shares = new List<double>();
        foreach (var rows in c.Train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = true, Seed = 52 }).Take(4))
        {
            using var scope = NewDisposeScope();
            using var batch = c.Train.GetBatch(rows, copy.Device);
            using (NewDisposeScope()) copy.zero_grad();
            Trainer.BatchLoss(copy, batch, c.Training.Loss, c.Setup).Loss.backward();
            double full = 0, kept = 0;
            foreach (var p in copy.parameters())
            {
                if (p.grad is not { } g) continue;
                full += g.square().sum().to(ScalarType.Float64).item<double>();
                kept += g.clamp(-value, value).square().sum().to(ScalarType.Float64).item<double>();
            }
            if (full > 0 && double.IsFinite(full)) shares.Add(Math.Sqrt(kept / full));
        }
        return shares.Count == 0 ? double.NaN : shares.Order().ElementAt(shares.Count / 2);
    }

    private static double WeightDecayOf(Training.Optimizers.IOptimizerFactory optimizer) => optimizer switch
    {
        Training.Optimizers.Adam a => a.WeightDecay,
        Training.Optimizers.AdamW a => a.WeightDecay > 0.05 ? a.WeightDecay : 0,        // AdamW's default 0.01 is not a candidate
        Training.Optimizers.Sgd a => a.WeightDecay,
        Training.Optimizers.RmsProp a => a.WeightDecay,
        Training.Optimizers.Adagrad a => a.WeightDecay,
        _ => 0,
    };

    private static Training.Optimizers.IOptimizerFactory WithoutWeightDecay(Training.Optimizers.IOptimizerFactory optimizer) => optimizer switch
    {
        Training.Optimizers.Adam a => a with { WeightDecay = 0 },
        Training.Optimizers.AdamW a => a with { WeightDecay = 0 },
        Training.Optimizers.Sgd a => a with { WeightDecay = 0 },
        Training.Optimizers.RmsProp a => a with { WeightDecay = 0 },
        Training.Optimizers.Adagrad a => a with { WeightDecay = 0 },
        _ => optimizer,
    };

    // SK017: inputs that carry nothing: every feature constant (all zeros), or trailing all-zero steps without lengths.
    private static IEnumerable<Result> ConstantInputs(DiagnosisContext c)
    {
        if (c.Model.InputShape.Kind == ShapeKind.Tokens) throw new NotCheckableException("SK017 applies to float inputs; the model takes tokens");
        var (mean, std, peak) = c.InputStatistics;
        var constant = Enumerable.Range(0, mean.Length).Where(f => !(std[f] > 1e-7 * Math.Max(1, Math.Abs(mean[f])))).ToList();
        var results = new List<Result>();
        if (constant.Count == mean.Length)
            results.Add(new Result(new Finding("SK017", "Inputs carry no information", Severity.Critical, 0.99,
                F($"Every one of the {mean.Length} input features is constant over the training sample{(peak.All(p => p == 0) ? " (all zeros)" : "")}: the inputs were lost in the pipeline, so nothing can be learned from them."),
                E(("constant features", constant.Count), ("features", mean.Length)),
                "Check the data pipeline where the inputs are built (a column read as empty, a mask or scaling that zeroes everything, the wrong array passed to SequenceDataset.FromArrays)."), true));
        else if (constant.Count > 0)
            results.Add(new Result(new Finding("SK017", "Constant input features", Severity.Info, 0.2,
                F($"{constant.Count} of {mean.Length} input feature(s) are constant ({string.Join(", ", constant.Take(8))}): they carry no information."),
                E(("constant features", constant.Count), ("features", mean.Length)), "Drop constant features, or check where they are computed."), false));
        if (!c.Train.HasLengths)
        {
            using var scope = NewDisposeScope();
            var rows = DiagnosisContext.RandomRows(c.Train, 4 * c.Options.SampleSize, 33).Select(r => (long)r).ToArray();
            using var batch = c.Train.GetBatch(rows);
            var zeroStep = batch.Inputs.to(ScalarType.Float64).abs().amax([2]).eq(0);            // (N, T)
            var trailing = zeroStep.flip(1).to(ScalarType.Int64).cumprod(1).sum([1]);           // zero steps at the end of each row
            var padded = trailing.gt(0).to(ScalarType.Float64).mean().item<double>();
            var steps = batch.Inputs.shape[1];
            var meanTrailing = trailing.to(ScalarType.Float64).mean().item<double>();
            if (padded > 0.3 && meanTrailing < steps && meanTrailing >= 1)
                results.Add(new Result(new Finding("SK017", "Padding without lengths", Severity.Warning, 0.4,
                    F($"{padded:P0} of the training sequences end in all-zero steps ({meanTrailing:F1} of {steps} on average), and the dataset has no lengths: the recurrent layers run over the padding, and the last step they report is padding."),
                    E(("share of padded rows", padded), ("mean trailing zero steps", meanTrailing)),
                    "Pass the sequence lengths (PadSequences returns them: SequenceDataset.FromArrays(values, labels, lengths)), so padding is masked."), false));
        }
        return results;
    }
}
