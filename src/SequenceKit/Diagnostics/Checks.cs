using System.Globalization;
using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>Thrown by a check that cannot run on this model or data; becomes a note in the report.</summary>
internal sealed class NotCheckableException(string reason) : Exception(reason);

/// <summary>
/// The doctor's checks. Causes (SK002–SK011) carry higher confidence than the symptom SK001 ("accuracy equals the
/// majority share"), so when a cause is found it ranks first and SK001 backs it with numbers.
/// </summary>
internal static class Checks
{
    public sealed record Check(string Code, bool Active, Func<DiagnosisContext, Finding?> Run);

    public static IReadOnlyList<Check> All { get; } =
    [
        new("SK001", false, MajorityClass),
        new("SK002", false, ClassImbalance),
        new("SK003", false, UnscaledInputs),
        new("SK004", true, VanishingGradientsThroughTime),
        new("SK005", true, ExplodingGradients),
        new("SK006", true, LearningRate),
        new("SK007", false, LossOutputMismatch),
        new("SK008", false, FitGap),
        new("SK009", true, SaturatedOrDeadUnits),
        new("SK010", false, Vocabulary),
        new("SK011", true, CannotLearn),
        new("SK012", false, UnscaledTargets),
    ];

    /// <summary>Causes that by themselves keep a model from fitting even one batch.</summary>
    public static readonly string[] PreventFitting = ["SK003", "SK004", "SK005", "SK006", "SK007", "SK009", "SK012"];

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static Dictionary<string, double> E(params (string Name, double Value)[] values) => values.ToDictionary(v => v.Name, v => v.Value);

    // SK001: the symptom behind "accuracy stuck at 0.2155".
    private static Finding? MajorityClass(DiagnosisContext c)
    {
        if (!c.IsClassification) throw new NotCheckableException("SK001 applies to classification targets");
        var (predicted, actual) = c.Classes;
        var n = actual.Length;
        var top = predicted.GroupBy(p => p).OrderByDescending(g => g.Count()).First();
        var predictedShare = (double)top.Count() / n;
        var classShare = actual.Count(a => a == top.Key) / (double)n;
        var accuracy = predicted.Zip(actual).Count(p => p.First == p.Second) / (double)n;
        var tolerance = Math.Max(0.02, 2 * Math.Sqrt(classShare * (1 - classShare) / n));
        var majority = actual.GroupBy(a => a).MaxBy(g => g.Count())!;
        var majorityShare = (double)majority.Count() / n;
        if (predictedShare < 0.9 || Math.Abs(accuracy - classShare) > tolerance)
        {
            // Predictions spread over the classes, yet no better than always answering the majority class.
            var margin = Math.Max(0.02, 2 * Math.Sqrt(majorityShare * (1 - majorityShare) / n));
            if (accuracy > majorityShare + margin) return null;
            return new Finding("SK001", "No better than predicting the majority class", Severity.Warning, 0.55,
                F($"{c.EvaluatedName} accuracy {accuracy:F4} does not beat the share of the largest class {majority.Key} ({majorityShare:F4}), the accuracy of always predicting it; the predictions are spread over the classes ({predictedShare:P0} at most for one), so the model has not learned what separates them."),
                E(("accuracy", accuracy), ("majority class", majority.Key), ("majority share", majorityShare), ("largest share of predictions", predictedShare)),
                "Look at the other findings for the cause; if there is none, train longer or with a tuned learning rate (LearningRateFinder.Run), or give the model the information it needs (longer windows, other features).");
        }
        var shares = actual.GroupBy(a => a).Select(g => (double)g.Count() / n).ToArray();
        var entropy = -shares.Sum(p => p * Math.Log(p));
        var evidence = E(("accuracy", accuracy), ("class", top.Key), ("class share", classShare), ("share of predictions", predictedShare), ("label entropy", entropy));
        var lossName = c.Validation is null ? "loss" : "val_loss";
        if (c.Series(lossName) is { Length: > 0 } losses) evidence["last " + lossName] = losses[^1];
        return new Finding("SK001", "Predicts the majority class", Severity.Critical, 0.6,
            F($"{c.EvaluatedName} accuracy {accuracy:F4} equals the share of class {top.Key} ({classShare:F4}); {predictedShare:P0} of predictions are class {top.Key}. ") +
            (evidence.TryGetValue("last " + lossName, out var loss) ? F($"The loss {loss:F4} is near the label entropy {entropy:F4}: the model ignores its inputs. ") : "The model ignores its inputs. "),
            evidence,
            "This is a symptom: look at the other findings for its cause (inputs, gradients, learning rate). If there is none, pass TrainerOptions.ClassWeights = Labels.BalancedClassWeights(labels, classes) and train longer.");
    }

    // SK002
    private static Finding? ClassImbalance(DiagnosisContext c)
    {
        if (!c.Setup.TargetsAreIndices && !c.Setup.TargetsAreDistributions) throw new NotCheckableException("SK002 applies to classification targets");
        using var scope = NewDisposeScope();
        var targets = c.Train.Targets;
        var labels = (is_integral(targets.dtype) ? targets : targets.argmax(-1)).flatten().to(ScalarType.Int64).cpu().data<long>().ToArray();
        var distribution = ClassDistribution.Of(labels, (int)c.ClassCount);
        if (distribution.ImbalanceRatio < 3) return null;
        var present = distribution.Counts.Count(x => x > 0);
        var weights = distribution.Counts.Select(count => count == 0 ? 0 : (double)distribution.Total / (present * count)).ToArray();
        var weighted = c.Training.ClassWeights is not null;
        var evidence = E(("imbalance ratio", distribution.ImbalanceRatio), ("majority class", distribution.MajorityClass), ("majority share", distribution.MajorityShare));
        for (var k = 0; k < distribution.Counts.Count; k++) evidence[$"share of class {k}"] = distribution.Shares[k];
        return new Finding("SK002", "Imbalanced classes", weighted ? Severity.Info : Severity.Warning, weighted ? 0.3 : 0.65,
            F($"The largest class ({distribution.MajorityClass}) has {distribution.ImbalanceRatio:F1}× the samples of the smallest; the majority share is {distribution.MajorityShare:F4}, the accuracy of always predicting it.") +
            (weighted ? " Class weights are already set." : ""),
            evidence,
            $"Pass balanced class weights: TrainerOptions.ClassWeights = [{string.Join(", ", weights.Select(w => w.ToString("0.###", CultureInfo.InvariantCulture)))}] (Labels.BalancedClassWeights), and judge the model by MacroF1 or MacroRecall, not accuracy.");
    }

    // SK003
    private static Finding? UnscaledInputs(DiagnosisContext c)
    {
        if (c.Model.InputShape.Kind == ShapeKind.Tokens) throw new NotCheckableException("SK003 applies to float inputs; the model takes tokens");
        using var scope = NewDisposeScope();
        var rows = (int)Math.Min(4L * c.Options.SampleSize, c.Train.Count);
        var x = c.Train.Inputs.narrow(0, 0, rows).to(ScalarType.Float64);
        var flat = x.reshape(-1, x.shape[^1]);                                               // (rows·T, F)
        var mean = flat.mean([0]).data<double>().ToArray();
        var std = flat.std(0, false).data<double>().ToArray();
        var peak = flat.abs().amax([0]).data<double>().ToArray();
        var worst = Enumerable.Range(0, mean.Length).MaxBy(f => Math.Max(peak[f], std[f]));
        var unscaled = Enumerable.Range(0, mean.Length).Where(f => peak[f] > 20 || std[f] > 10 || (Math.Abs(mean[f]) > 5 && Math.Abs(mean[f]) > 3 * std[f])).ToList();
        if (unscaled.Count == 0) return null;
        var evidence = new Dictionary<string, double>();
        foreach (var f in unscaled.Take(6))
        {
            evidence[$"feature {f} mean"] = mean[f];
            evidence[$"feature {f} std"] = std[f];
            evidence[$"feature {f} max |x|"] = peak[f];
        }
        return new Finding("SK003", "Inputs are not scaled", Severity.Critical, peak[worst] > 100 ? 0.9 : 0.85,
            F($"{unscaled.Count} of {mean.Length} input feature(s) are far from unit scale; feature {worst} has mean {mean[worst]:G4}, standard deviation {std[worst]:G4} and values up to {peak[worst]:G4}. Recurrent units saturate on such inputs and gradients vanish."),
            evidence,
            "Fit a StandardScaler on the training inputs only and transform every set with it: var scaler = new StandardScaler(); var trainX = scaler.FitTransform(trainInputs); var validX = scaler.Transform(validInputs); keep it with the model (model.Scalers[\"inputs\"] = scaler). Use MinMaxScaler for bounded features.");
    }

    // SK004
    private static Finding? VanishingGradientsThroughTime(DiagnosisContext c)
    {
        var index = c.Model.Layers.ToList().FindIndex(l => l is RecurrentLayer);
        if (index < 0) throw new NotCheckableException("SK004 needs a recurrent layer; the model has none");
        var layer = (RecurrentLayer)c.Model.Layers[index];
        var batch = c.Sample(c.Train, 64);
        var copy = c.CopyModel();
        copy.eval();
        using var scope = NewDisposeScope();
        SequenceBatch flow;
        using (no_grad())
        {
            flow = DiagnosisContext.LayerInput(copy, batch);
            for (var i = 0; i < index; i++) flow = copy.Layers[i].Forward(flow);
        }
        var steps = flow.Values.shape[1];
        if (steps < 8) throw new NotCheckableException(F($"SK004 needs sequences of at least 8 steps; these have {steps}"));
        var x = flow.Values.detach().requires_grad_(true);                                     // (B, T, F)
        flow = new SequenceBatch(x, null);
        for (var i = index; i < copy.Layers.Count; i++) flow = copy.Layers[i].Forward(flow);
        c.Training.Loss.Compute(flow.Values, batch.Targets, c.Setup, null).backward();
        var perStep = x.grad!.square().sum([2]).sqrt().mean([0]).to(ScalarType.Float64).data<double>().ToArray();   // (T)
        var window = (int)Math.Max(1, steps / 10);
        var early = perStep.Take(window).Average();
        var late = perStep.Skip((int)steps - window).Average();
        if (!(late > 1e-12)) throw new NotCheckableException("SK004 found no gradient reaching the recurrent layer's input at any step (dead or saturated units, see SK009), so decay through time cannot be measured");
        var ratio = early / late;
        var evidence = E(("gradient at early steps", early), ("gradient at late steps", late), ("early / late ratio", ratio), ("time steps", steps));
        if (layer is SimpleRnn && ratio < 1e-3)
            return new Finding("SK004", "Gradients vanish through time", Severity.Critical, 0.85,
                F($"In the {layer.TypeName} (layer {index}), the loss gradient at the first {window} step(s) is {ratio:E1} of that at the last {window}: the first steps of each {steps}-step sequence barely influence learning, so long-range information is lost."),
                evidence, "Replace SimpleRnn with Lstm or Gru (same units), which carry information through time; or shorten the sequences.");
        if (layer is not SimpleRnn && ratio < 1e-5)
            return new Finding("SK004", "Gradients vanish through time", Severity.Warning, 0.6,
                F($"Even the gated {layer.TypeName} passes only {ratio:E1} of the gradient from the last {window} step(s) back to the first {window} of a {steps}-step sequence."),
                evidence, "Use shorter windows (TimeSeriesWindows with a smaller Window) or truncate sequences (PaddingOptions.MaxLength), or summarize early steps into features.");
        return null;
    }

    // SK005
    private static Finding? ExplodingGradients(DiagnosisContext c)
    {
        var losses = c.Series("loss");
        var skipped = c.History.Events.Count(e => e.Contains("the step was not applied", StringComparison.Ordinal));
        if (skipped > 0 && losses.All(double.IsFinite))
            return new Finding("SK005", "Non-finite loss", Severity.Critical, 0.95,
                F($"{skipped} batch(es) gave a NaN or infinite loss; the trainer did not apply those steps. First: {c.History.Events.First(e => e.Contains("the step was not applied", StringComparison.Ordinal))}."),
                E(("skipped steps", skipped)),
                "Look for extreme or invalid values in the data (scale inputs and targets), clip gradients (TrainerOptions.ClipGradientNorm = 1.0), lower the learning rate, and add TerminateOnNaN.");
        if (losses.Any(l => !double.IsFinite(l)))
            return new Finding("SK005", "Non-finite loss", Severity.Critical, 0.95,
                F($"The training loss became {losses.First(l => !double.IsFinite(l))} at epoch {Array.FindIndex(losses, l => !double.IsFinite(l)) + 1}."),
                E(("first non-finite epoch", Array.FindIndex(losses, l => !double.IsFinite(l)) + 1)),
                "Clip gradients (TrainerOptions.ClipGradientNorm = 1.0), lower the learning rate by 10×, scale the inputs, and add TerminateOnNaN to keep the last good weights.");
        var copy = c.CopyModel();
        copy.train();
        var norms = new List<double>();
        foreach (var rows in c.Train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = false }).Take(4))
        {
            using var scope = NewDisposeScope();
            using var batch = c.Train.GetBatch(rows, copy.Device);
            copy.zero_grad();
            c.Loss(copy, batch).backward();
            norms.Add(nn.utils.clip_grad_norm_(copy.parameters(), double.PositiveInfinity));
        }
        var median = norms.Order().ElementAt(norms.Count / 2);
        if (norms.All(double.IsFinite) && median < 1e3) return null;
        return new Finding("SK005", "Exploding gradients", Severity.Critical, 0.85,
            F($"The gradient norm over {norms.Count} batch(es) is up to {norms.Max():G4} (median {median:G4}); updates this large throw the weights around."),
            E(("largest gradient norm", norms.Max()), ("median gradient norm", median)),
            "Clip gradients: TrainerOptions.ClipGradientNorm = 1.0, and lower the learning rate by 10×; for a plain RNN, prefer Lstm or Gru.");
    }

    // SK006
    private static Finding? LearningRate(DiagnosisContext c)
    {
        var losses = c.Series("loss");
        var rate = c.History.Epochs.Count > 0 ? c.History.Epochs[^1].LearningRate : c.Training.Optimizer.LearningRate;
        if (losses.Length >= 4 && losses.All(double.IsFinite))
        {
            var rises = Enumerable.Range(1, losses.Length - 1).Count(i => losses[i] > losses[i - 1] * 1.001);
            var rising = losses[^1] > losses.Min() * 1.5;
            if (rising || (rises >= (losses.Length - 1) / 2.0 && losses[^1] >= losses[0] * 0.98))
                return new Finding("SK006", "Learning rate too high", Severity.Critical, 0.8,
                    F($"The training loss rose in {rises} of {losses.Length - 1} epochs and ends at {losses[^1]:G4} against a best of {losses.Min():G4}, at learning rate {rate:G3}."),
                    E(("learning rate", rate), ("epochs with a rising loss", rises), ("last loss", losses[^1]), ("best loss", losses.Min())),
                    F($"Lower the learning rate about 10× (to {rate / 10:G2}); LearningRateFinder.Run suggests one from a range test; add ReduceLrOnPlateau."));
        }
        // Update-to-weight ratio of one step of the user's optimizer at the current rate, on a freshly initialized copy:
        // does this rate move weights of their initial scale by a sane fraction? (Trained weights may already be damaged.)
        var copy = c.CopyModel(fresh: true);
        copy.train();
        var optimizer = c.Training.Optimizer.Create(copy.parameters());
        using (optimizer)
        {
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
            using var scope = NewDisposeScope();
            var batch = c.Sample(c.Train, c.Training.BatchSize);
            var before = copy.parameters().Select(p => p.detach().clone()).ToList();
            optimizer.zero_grad();
            c.Loss(copy, batch).backward();
            optimizer.step();
            double update = 0, weight = 0;
            foreach (var (p, old) in copy.parameters().Zip(before))
            {
                update += (p.detach() - old).square().sum().to(ScalarType.Float64).item<double>();
                weight += old.square().sum().to(ScalarType.Float64).item<double>();
            }
            var ratio = Math.Sqrt(update / Math.Max(weight, 1e-30));
            // Creeping: under 1% relative improvement per epoch on average.
            var creeping = losses.Length >= 3 && losses.All(double.IsFinite) && (losses[0] - losses[^1]) / Math.Abs(losses[0]) < 0.01 * losses.Length;
            var evidence = E(("learning rate", rate), ("update / weight ratio", ratio));
            if (ratio > 0.3)
                return new Finding("SK006", "Learning rate too high", Severity.Critical, 0.75,
                    F($"One optimizer step at learning rate {rate:G3} changes the weights by {ratio:P1} of their norm (healthy: well under 10%)."),
                    evidence, F($"Lower the learning rate to about {Suggest(c, evidence, rate * 0.01 / ratio, below: rate):G2}."));
            if (ratio < 1e-4 && creeping)
                return new Finding("SK006", "Learning rate too low", Severity.Warning, 0.75,
                    F($"One optimizer step at learning rate {rate:G3} changes the weights by only {ratio:E1} of their norm (healthy: about 1e-3), and the loss fell only from {losses[0]:G4} to {losses[^1]:G4}."),
                    evidence, F($"Raise the learning rate to about {Suggest(c, evidence, Math.Min(rate * 1e-3 / Math.Max(ratio, 1e-12), 1e-2), above: rate):G2}."));
        }
        return null;
    }

    /// <summary>
    /// The range test's suggestion (on a fresh copy) when it points the right way (below a rate that is too high, above
    /// one that is too low); otherwise, or when it cannot run, the update-ratio estimate.
    /// </summary>
    private static double Suggest(DiagnosisContext c, Dictionary<string, double> evidence, double fallback, double below = double.PositiveInfinity, double above = 0)
    {
        try
        {
            using var fresh = c.Model.Copy(copyWeights: false, seed: 12345);
            var result = LearningRateFinder.Run(fresh, c.Train, c.Training, new LearningRateRangeOptions { Steps = 60, StartRate = 1e-6, EndRate = 1 });
            evidence["range test suggestion"] = result.SuggestedRate;
            return result.SuggestedRate < below && result.SuggestedRate > above ? result.SuggestedRate : fallback;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return fallback;
        }
    }

    // SK007
    private static Finding? LossOutputMismatch(DiagnosisContext c)
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
            return new Finding("SK007", "Output range cannot reach the targets", Severity.Critical, 0.9,
                F($"The last Dense uses {s.OutputActivation}, whose outputs lie in [{low}, {high}], but the targets range from {s.TargetMin:G4} to {s.TargetMax:G4}."),
                E(("target min", s.TargetMin), ("target max", s.TargetMax), ("output min", low), ("output max", high)),
                "Remove the output activation for regression (Dense(units) without activation), or scale the targets into the output's range (MinMaxScaler) and invert predictions.");
        var builtIn = c.Training.Loss is CrossEntropyLoss or BinaryCrossEntropyLoss or MeanSquaredErrorLoss or MeanAbsoluteErrorLoss or HuberLoss;
        var losses = c.Series("loss");
        if (!builtIn && s.OutputActivation is Activation.Softmax or Activation.Sigmoid && losses.Length >= 3 && losses[^1] > losses[0] * 0.97)
            return new Finding("SK007", "Custom loss on probabilities", Severity.Warning, 0.7,
                F($"The custom loss {c.Training.Loss.GetType().Name} runs on {s.OutputActivation} probabilities and barely moved ({losses[0]:G4} → {losses[^1]:G4}); a loss that expects logits would apply a second softmax/sigmoid and flatten the gradients."),
                E(("first loss", losses[0]), ("last loss", losses[^1])),
                "Give the loss what it expects: remove the output activation and use logits, or use CrossEntropyLoss / BinaryCrossEntropyLoss, which read both correctly.");
        return null;
    }

    // SK008
    private static Finding? FitGap(DiagnosisContext c)
    {
        var train = c.Series("loss");
        var validation = c.Series("val_loss");
        if (train.Length < 4) throw new NotCheckableException(F($"SK008 needs at least 4 epochs of history; there are {train.Length}"));
        if (validation.Length == train.Length)
        {
            var best = Array.IndexOf(validation, validation.Min());
            if (best <= validation.Length - 3 && validation[^1] > validation[best] * 1.1 && train[^1] < train[best] && train[^1] < 0.8 * validation[^1])
                return new Finding("SK008", "Overfitting", Severity.Warning, 0.7,
                    F($"The validation loss was lowest at epoch {best + 1} ({validation[best]:G4}) and has risen to {validation[^1]:G4} while the training loss kept falling to {train[^1]:G4}."),
                    E(("best val_loss epoch", best + 1), ("best val_loss", validation[best]), ("last val_loss", validation[^1]), ("last loss", train[^1])),
                    "Add EarlyStopping(new() { Monitor = \"val_loss\", RestoreBestWeights = true }), Dropout layers or RecurrentOptions.Dropout, or more training data.");
        }
        var recent = train.TakeLast(3).ToArray();
        var accuracy = c.History.Epochs[^1].Metrics.TryGetValue("accuracy", out var a) ? a : double.NaN;
        var stuck = (recent[0] - recent[^1]) / Math.Max(Math.Abs(recent[0]), 1e-12) < 0.01 && train[^1] > 0.5 * train[0];
        if (stuck && (double.IsNaN(accuracy) || accuracy < 0.9))
            return new Finding("SK008", "Underfitting", Severity.Warning, 0.5,
                F($"The training loss has stalled at {train[^1]:G4} (it started at {train[0]:G4}) and improved by less than 1% over the last 3 epochs{(double.IsNaN(accuracy) ? "" : F($"; training accuracy is {accuracy:F4}"))}: the model does not fit even the training data."),
                E(("first loss", train[0]), ("last loss", train[^1]), ("training accuracy", accuracy)),
                "Look for a cause among the other findings; then add capacity (more units, Layers = 2), train longer, or tune the learning rate (LearningRateFinder.Run).");
        return null;
    }

    // SK009
    private static Finding? SaturatedOrDeadUnits(DiagnosisContext c)
    {
        var batch = c.Sample(c.Train, c.Options.SampleSize);
        var copy = c.CopyModel();
        copy.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var flow = DiagnosisContext.LayerInput(copy, batch);
        Finding? worst = null;
        for (var i = 0; i < copy.Layers.Count; i++)
        {
            var layer = copy.Layers[i];
            flow = layer.Forward(flow);
            var output = flow.Values.reshape(-1, flow.Values.shape[^1]);                          // (items, units)
            if (layer is RecurrentLayer recurrent && !(layer is SimpleRnn { Options.Activation: SimpleRnnActivation.Relu }))
            {
                var saturated = output.abs().gt(0.97).to(ScalarType.Float64).mean().item<double>();
                if (saturated > 0.5 && worst is null)
                    worst = new Finding("SK009", "Saturated recurrent units", Severity.Warning, 0.65,
                        F($"{saturated:P0} of the {recurrent.TypeName} (layer {i}) outputs are within 3% of ±1: saturated units pass almost no gradient."),
                        E(("saturated share", saturated), ("layer", i)),
                        "Scale the inputs (StandardScaler), lower the learning rate, or use Lstm/Gru in place of SimpleRnn.");
            }
            else if (layer is SimpleRnn or Dense { Activation: Activation.Relu })
            {
                var dead = output.amax([0]).le(0).to(ScalarType.Float64).mean().item<double>();
                if (dead > 0.5 && worst is null)
                    worst = new Finding("SK009", "Dead units", Severity.Warning, 0.7,
                        F($"{dead:P0} of the units of layer {i} ({layer.TypeName}, ReLU) never activate on {output.shape[0]} samples: they pass no gradient and will not recover."),
                        E(("dead share", dead), ("layer", i)),
                        "Lower the learning rate, scale the inputs, or use tanh (SimpleRnnOptions.Activation = Tanh) / an Lstm or Gru.");
            }
        }
        return worst;
    }

    // SK010
    private static Finding? Vocabulary(DiagnosisContext c)
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
            return new Finding("SK010", "Many out-of-vocabulary tokens", Severity.Warning, 0.7,
                F($"{unknown:P1} of the training tokens are the unknown token (index 1): the model cannot tell them apart."),
                evidence, "Build the Vocabulary on the training texts with a larger MaxSize or a lower MinFrequency, and check its UnknownRate on the validation texts.");
        if (rare > 0.7 && embedding.VocabularySize > 100)
            return new Finding("SK010", "Vocabulary larger than the data supports", Severity.Warning, 0.55,
                F($"{rare:P0} of the {embedding.VocabularySize} vocabulary entries occur at most once in {total} training tokens: their embeddings cannot be learned."),
                evidence, "Rebuild the Vocabulary with MinFrequency = 2 or a smaller MaxSize, so rare tokens share the unknown index.");
        return null;
    }

    // SK011
    private static Finding? CannotLearn(DiagnosisContext c)
    {
        // A freshly initialized model of the same architecture: the question is whether model and data can learn at
        // all, not whether the current (possibly damaged) weights can.
        var copy = c.CopyModel(fresh: true);
        copy.train();
        var batch = c.Sample(c.Train, 16);
        using var optimizer = new Adam { LearningRate = 1e-2 }.Create(copy.parameters());
        double first = double.NaN, last = double.NaN;
        for (var step = 0; step < c.Options.OverfitSteps; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = c.Loss(copy, batch);
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
            if (step == 0) first = last;
        }
        var accuracy = double.NaN;
        if (c.IsClassification)
        {
            copy.eval();
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var (predicted, actual) = ClassPredictions.Of(copy.Forward(batch.Inputs, batch.Lengths), batch.Targets, c.MetricSetup, null);
            accuracy = predicted.eq(actual).to(ScalarType.Float64).mean().item<double>();
        }
        var learned = double.IsFinite(last) && (last <= 0.25 * first || accuracy >= 0.99);
        if (learned) return null;
        return new Finding("SK011", "Cannot learn at all", Severity.Critical, 0.97,
            F($"A copy of the model could not fit a single batch of {batch.Indices.Length} samples in {c.Options.OverfitSteps} Adam steps at 1e-2: the loss went from {first:G4} to {last:G4}{(double.IsNaN(accuracy) ? "" : F($" and accuracy on those samples is {accuracy:F2}"))}. This is a pipeline bug, not a tuning problem."),
            E(("first loss", first), ("last loss", last), ("accuracy on the batch", accuracy), ("samples", batch.Indices.Length)),
            "Check the data pipeline: inputs that are constant or all padding, labels misaligned with inputs (apply the same row indices: DataSplit.Take), targets in the wrong form, or a custom layer that detaches its output.");
    }

    // SK012
    private static Finding? UnscaledTargets(DiagnosisContext c)
    {
        var s = c.Setup;
        if (s.TargetsAreIndices || s.TargetsAreDistributions) throw new NotCheckableException("SK012 applies to regression targets");
        using var scope = NewDisposeScope();
        var y = c.Train.Targets.to(ScalarType.Float64).reshape(-1, s.TargetShape.Length == 0 ? 1 : s.TargetShape[^1]);
        var mean = y.mean([0]).data<double>().ToArray();
        var std = y.std(0, false).data<double>().ToArray();
        var worst = Enumerable.Range(0, mean.Length).MaxBy(j => Math.Max(Math.Abs(mean[j]), std[j]));
        if (Math.Abs(mean[worst]) <= 10 && std[worst] <= 10) return null;
        return new Finding("SK012", "Regression targets are not scaled", Severity.Critical, 0.9,
            F($"Target column {worst} has mean {mean[worst]:G4} and standard deviation {std[worst]:G4}: losses and gradients are {Math.Max(Math.Abs(mean[worst]), std[worst]):G3}× larger than at unit scale, which makes training unstable."),
            E(("target mean", mean[worst]), ("target std", std[worst])),
            "Fit a StandardScaler on the training targets, train on scaled targets, and InverseTransform the predictions; keep it with the model (model.Scalers[\"targets\"] = scaler).");
    }
}
