using System.Diagnostics;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>
/// One candidate fix, tried as a controlled experiment: a copy of the setup with this one change, trained from the
/// same initial weights on the same batches for the same number of steps as the unchanged control.
/// </summary>
/// <param name="Code">The finding it is evidence for ("SK003").</param>
/// <param name="Name">What changed, for messages ("the inputs standardized").</param>
/// <param name="Fix">The change in SequenceKit terms, for the finding's fix.</param>
internal sealed record Treatment(string Code, string Name, string Fix)
{
    public Func<ISequenceLayer, ISequenceLayer?>? Layers { get; init; }
    public double RateFactor { get; init; } = 1;
    public IOptimizerFactory? Optimizer { get; init; }
    public bool RemoveClipping { get; init; }
    public bool Shuffle { get; init; }
    public bool StandardizeInputs { get; init; }
    public bool StandardizeTargets { get; init; }
    public bool ClassWeights { get; init; }

    /// <summary>Starts from the user's weights as trained rather than from fresh initial weights (and its control does too).</summary>
    public bool FromTrained { get; init; }

    /// <summary>Judged by balanced accuracy rather than loss (class weights change what the loss weighs).</summary>
    public bool ByBalancedAccuracy => ClassWeights;
}

/// <summary>What one arm of an experiment reached on the probe rows.</summary>
/// <param name="InitialLoss">The probe loss before training.</param>
/// <param name="FinalLoss">The probe loss after the steps.</param>
/// <param name="Relative">Final loss / the trivial predictor's loss in the same units (1 = learned nothing).</param>
/// <param name="Accuracy">Classification: probe accuracy.</param>
/// <param name="BalancedAccuracy">Classification: probe balanced accuracy.</param>
/// <param name="Steps">Steps applied.</param>
/// <param name="Time">Wall time.</param>
internal sealed record ArmResult(double InitialLoss, double FinalLoss, double Relative, double Accuracy, double BalancedAccuracy, int Steps, TimeSpan Time);

/// <summary>Runs the control (twice, with two seeds: its noise is the yardstick) and the treatments within the budget.</summary>
internal sealed class Experiments
{
    private const long InitSeed = 12345;
    private readonly DiagnosisContext c;
    private readonly SequenceDataset train;
    private readonly SequenceDataset probe;
    private readonly double userRate;
    private readonly Tensor? inputMean, inputStd, targetMean, targetStd;
    private readonly float[] priors;

    public Experiments(DiagnosisContext context)
    {
        c = context;
        train = c.Own(c.Train.Subset(DiagnosisContext.RandomRows(c.Train, c.Options.SampleSize, 21).Order().ToArray()));
        probe = c.Own(c.Evaluated.Subset(DiagnosisContext.RandomRows(c.Evaluated, Math.Min(256, c.Options.SampleSize), 22)));
        userRate = c.BaseRate;
        Steps = c.Options.ExperimentSteps;
        using var scope = NewDisposeScope();
        if (c.Model.InputShape.Kind != ShapeKind.Tokens)
        {
            var x = train.Inputs.to(ScalarType.Float32).reshape(-1, train.Inputs.shape[^1]);      // (N·T, F)
            inputMean = x.mean([0]).MoveToOuterDisposeScope();
            inputStd = x.std(0, false).clamp_min(1e-12).MoveToOuterDisposeScope();
        }
        if (!c.IsClassification)
        {
            var y = train.Targets.to(ScalarType.Float32).reshape(-1, Math.Max(1, c.Setup.OutputUnits));
            targetMean = y.mean([0]).MoveToOuterDisposeScope();
            targetStd = y.std(0, false).clamp_min(1e-12).MoveToOuterDisposeScope();
        }
        var labels = c.Labels(train);
        priors = labels is null ? [] : Enumerable.Range(0, (int)c.ClassCount).Select(k => (float)Math.Max(1e-6, labels.Count(l => l == k) / (double)labels.Length)).ToArray();
        foreach (var t in new[] { inputMean, inputStd, targetMean, targetStd }) if (t is not null) c.Own(t);
    }

    /// <summary>Steps per arm (the same for every arm; set once from the budget).</summary>
    public int Steps { get; private set; }

    public int TrainRows => (int)train.Count;

    public int ProbeRows => (int)probe.Count;

    /// <summary>Chooses the step count so that <paramref name="arms"/> arms fit the remaining budget (at least 20 steps).</summary>
    public void FitBudget(int arms)
    {
        var clock = Stopwatch.StartNew();
        Run(null, seed: 0, steps: 5);
        var perStep = clock.Elapsed.TotalSeconds / 5;
        var left = (c.Budget - c.ActiveClock.Elapsed).TotalSeconds;
        Steps = (int)Math.Clamp(0.85 * left / Math.Max(1e-6, arms * perStep * 1.15), Math.Min(20, c.Options.ExperimentSteps), c.Options.ExperimentSteps);
    }

    /// <summary>Sets the step count of every following arm (a longer second round).</summary>
    public void SetSteps(int steps) => Steps = Math.Max(1, steps);

    /// <summary>The user's model as trained, measured on the same probe rows as the arms (no training).</summary>
    public ArmResult MeasureUser()
    {
        var clock = Stopwatch.StartNew();
        using var copy = c.Model.Copy();
        var (loss, relative, accuracy, balanced) = Measure(copy, null);
        return new ArmResult(loss, loss, relative, accuracy, balanced, 0, clock.Elapsed);
    }

    /// <summary>Trains one arm (null = the control) and measures it on the probe rows.</summary>
    public ArmResult Run(Treatment? treatment, int seed, int? steps = null)
    {
        var clock = Stopwatch.StartNew();
        var count = steps ?? Steps;
        var layers = treatment?.Layers;
        using var model = treatment?.FromTrained == true ? c.Model.Copy() : c.Model.Variant(layers ?? (l => l), InitSeed + Math.Max(0, seed - 1));
        if (treatment?.FromTrained != true) StartAtTrivial(model);
        using var weights = treatment?.ClassWeights == true ? BalancedWeights() : null;
        var setup = weights is null ? c.Setup : c.Setup with { ClassWeights = weights };
        var initial = Measure(model, treatment).Loss;
        model.train();
        var factory = treatment?.Optimizer ?? c.Training.Optimizer;
        using var optimizer = factory.Create(model.parameters());
        var rate = userRate * (treatment?.RateFactor ?? 1);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        var shuffle = c.Training.Shuffle || treatment?.Shuffle == true;
        var order = new List<long[]>();
        var applied = 0;
        for (var step = 0; step < count; step++)
        {
            if (step % 5 == 0) c.ThrowIfCancelled();
            if (order.Count == 0)
                order.AddRange(train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = shuffle, Seed = seed * 1000 + step }).Reverse());
            var rows = order[^1];
            order.RemoveAt(order.Count - 1);
            using var scope = NewDisposeScope();
            using (var zero = NewDisposeScope()) optimizer.zero_grad();
            var batch = Transform(train.GetBatch(rows, model.Device), treatment);
            var loss = Trainer.BatchLoss(model, batch, c.Training.Loss, setup).Loss;
            if (!float.IsFinite(loss.item<float>())) continue;
            loss.backward();
            if (!(treatment?.RemoveClipping ?? false))
            {
                if (c.Training.ClipGradientValue is { } limit) nn.utils.clip_grad_value_(model.parameters(), limit);
                if (c.Training.ClipGradientNorm is { } norm) nn.utils.clip_grad_norm_(model.parameters(), norm);
            }
            optimizer.step();
            applied++;
        }
        var (final, relative, accuracy, balanced) = Measure(model, treatment);
        return new ArmResult(initial, final, relative, accuracy, balanced, applied, clock.Elapsed);
    }

    /// <summary>
    /// Classification: sets the output Dense's bias so that every copy starts at the trivial predictor (the training
    /// class shares). Without it the first steps of every arm learn the shares, and any change that speeds learning up
    /// (a larger rate, more units) looks like a fix in a short experiment; with it, gains measure learning from the inputs.
    /// </summary>
    private void StartAtTrivial(SequenceModel model)
    {
        if (!c.IsClassification || priors.Length == 0 || model.Layers[^1] is not Dense { Module: TorchSharp.Modules.Linear { bias: { } bias } }) return;
        var units = bias.shape[0];
        float[] values;
        if (units == 1 && priors.Length >= 2) values = [(float)Math.Log(priors[1] / priors[0])];                  // one logit: log-odds of class 1
        else if (units == priors.Length) values = priors.Select(p => (float)Math.Log(p)).ToArray();                // softmax logits: log shares
        else return;
        using var _ = no_grad();
        using var start = tensor(values);
        bias.copy_(start);
    }

    private Tensor BalancedWeights()
    {
        var present = priors.Count(p => p > 1e-6);
        return tensor(priors.Select(p => p > 1e-6 ? (float)(1.0 / (present * p)) : 0f).ToArray()).to(c.Model.Device.ToTorch());
    }

    private DataBatch Transform(DataBatch batch, Treatment? treatment)
    {
        if (treatment is null || !(treatment.StandardizeInputs || treatment.StandardizeTargets)) return batch;
        var inputs = treatment.StandardizeInputs && inputMean is not null
            ? (batch.Inputs.to(ScalarType.Float32) - inputMean.to(batch.Inputs.device)) / inputStd!.to(batch.Inputs.device)
            : batch.Inputs;
        var targets = treatment.StandardizeTargets && targetMean is not null
            ? ((batch.Targets.to(ScalarType.Float32).reshape(-1, targetMean.shape[0]) - targetMean.to(batch.Targets.device)) / targetStd!.to(batch.Targets.device)).reshape(batch.Targets.shape)
            : batch.Targets;
        return new DataBatch(inputs, targets, batch.Lengths, batch.Indices);
    }

    /// <summary>Probe loss (the user's loss setup), that loss relative to the trivial predictor's, accuracy and balanced accuracy.</summary>
    private (double Loss, double Relative, double Accuracy, double Balanced) Measure(SequenceModel model, Treatment? treatment)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var batch = Transform(probe.GetBatch(Enumerable.Range(0, (int)probe.Count).Select(i => (long)i).ToArray(), model.Device), treatment);
            var (output, loss, mask) = Trainer.BatchLoss(model, batch, c.Training.Loss, c.Setup);
            var value = loss.to(ScalarType.Float64).item<double>();
            var trivial = c.Training.Loss.Compute(Trivial(output, treatment), batch.Targets, c.Setup, mask).to(ScalarType.Float64).item<double>();
            var relative = double.IsFinite(value) ? value / Math.Max(trivial, 1e-12) : double.PositiveInfinity;
            if (!c.IsClassification) return (value, relative, double.NaN, double.NaN);
            var (predicted, actual) = ClassPredictions.Of(output, batch.Targets, c.MetricSetup, mask);
            var p = predicted.data<long>().ToArray();
            var a = actual.data<long>().ToArray();
            return (value, relative, p.Zip(a).Count(t => t.First == t.Second) / (double)a.Length, Evaluation.BalancedAccuracyOf(p, a));
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>The trivial predictor's output in the model's output form: class priors, or the training mean.</summary>
    private Tensor Trivial(Tensor output, Treatment? treatment)
    {
        if (!c.IsClassification)
        {
            var mean = treatment?.StandardizeTargets == true ? zeros_like(targetMean!) : targetMean!;
            return mean.to(output.device).expand_as(output);
        }
        using var onCpu = tensor(priors);
        var p = onCpu.to(output.device);
        var row = c.OutputActivation switch
        {
            Activation.Softmax => p,
            Activation.Sigmoid when c.Setup.OutputUnits == 1 => p[1].unsqueeze(0),
            _ when c.Setup.OutputUnits == 1 => (p[1] / p[0]).log().unsqueeze(0),
            _ => p.log(),
        };
        return row.expand_as(output).contiguous();
    }
}
