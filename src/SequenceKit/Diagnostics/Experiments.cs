using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>What one arm of an experiment reached on the probe rows.</summary>
/// <param name="InitialLoss">The probe loss before training.</param>
/// <param name="FinalLoss">The probe loss after the steps.</param>
/// <param name="Relative">Final loss / the trivial predictor's loss in the same units (1 = learned nothing).</param>
/// <param name="Accuracy">Classification: probe accuracy.</param>
/// <param name="BalancedAccuracy">Classification: probe balanced accuracy.</param>
/// <param name="Steps">Steps applied.</param>
/// <param name="Rows">Training rows processed (the work).</param>
internal sealed record ArmResult(double InitialLoss, double FinalLoss, double Relative, double Accuracy, double BalancedAccuracy, int Steps, long Rows);

/// <summary>
/// One arm in training: a copy of the model (fresh from the seeded initial weights, or as trained), its optimizer and
/// its batch order, which <see cref="Experiments.Advance"/> trains further rung by rung. Seeded throughout: the same
/// arm advanced to the same step count reaches the same weights whether it got there in one go or in rungs.
/// </summary>
internal sealed class Arm : IDisposable
{
    public Arm(Treatment? treatment, int seed, SequenceModel model, OptimizerHelper optimizer, DataBatchTransform transform, double initialLoss)
    {
        (Treatment, Seed, Model, Optimizer, Transform, InitialLoss) = (treatment, seed, model, optimizer, transform, initialLoss);
    }

    public Treatment? Treatment { get; }
    public int Seed { get; }
    public SequenceModel Model { get; }
    public OptimizerHelper Optimizer { get; }
    public DataBatchTransform Transform { get; }
    public double InitialLoss { get; }

    /// <summary>Batches still to come in the current pass over the training subset (the next is last).</summary>
    public List<long[]> Order { get; } = [];

    /// <summary>Steps taken (applied or skipped for a non-finite loss).</summary>
    public int Taken { get; set; }

    /// <summary>Steps applied.</summary>
    public int Applied { get; set; }

    /// <summary>Training rows processed.</summary>
    public long Rows { get; set; }

    /// <summary>The latest measurement (null before the first).</summary>
    public ArmResult? Last { get; set; }

    public void Dispose()
    {
        Optimizer.Dispose();
        Model.Dispose();
    }
}

/// <summary>A batch as an arm trains on it (the treatment's standardization, or unchanged).</summary>
internal delegate DataBatch DataBatchTransform(DataBatch batch);

/// <summary>Trains and measures the arms of the controlled experiments (the control, with several seeds, and the treatments).</summary>
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

    public int TrainRows => (int)train.Count;

    public int ProbeRows => (int)probe.Count;

    /// <summary>Rows in one step's batch (the user's batch size, at most the training subset).</summary>
    public long RowsPerStep => Math.Min(c.Training.BatchSize, train.Count);

    /// <summary>Time steps per row (the padded length of the training subset).</summary>
    public long TimeSteps => train.Inputs.shape[1];

    /// <summary>The work of one optimizer step: rows per step × time steps per row.</summary>
    public long WorkPerStep => RowsPerStep * TimeSteps;

    /// <summary>The user's model as trained, measured on the same probe rows as the arms (no training).</summary>
    public ArmResult MeasureUser()
    {
        using var copy = c.Model.Copy();
        var (loss, relative, accuracy, balanced) = Measure(copy, batch => batch, null);
        return new ArmResult(loss, loss, relative, accuracy, balanced, 0, 0);
    }

    /// <summary>Starts one arm (null = the control): a copy of the model with the change, its optimizer, measured before training.</summary>
    public Arm Start(Treatment? treatment, int seed)
    {
        var layers = treatment?.Layers;
        var model = treatment?.FromTrained == true ? c.Model.Copy() : c.Model.Variant(layers ?? (l => l), InitSeed + Math.Max(0, seed - 1));
        try
        {
            if (treatment?.FromTrained != true) StartAtTrivial(model);
            DataBatchTransform transform = batch => Transform(batch, treatment);
            var initial = Measure(model, transform, treatment).Loss;
            var optimizer = (treatment?.Optimizer ?? c.Training.Optimizer).Create(model.parameters());
            if (treatment?.Optimizer is null)
                foreach (var group in optimizer.ParamGroups) group.LearningRate = userRate * (treatment?.RateFactor ?? 1);
            optimizer.zero_grad();
            return new Arm(treatment, seed, model, optimizer, transform, initial);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Trains an arm on until it has taken <paramref name="steps"/> steps, counts the work, and measures it.</summary>
    public ArmResult Advance(Arm arm, int steps)
    {
        var treatment = arm.Treatment;
        using var weights = treatment?.ClassWeights == true ? BalancedWeights() : null;
        var setup = weights is null ? c.Setup : c.Setup with { ClassWeights = weights };
        var settings = treatment?.RemoveClipping == true ? TrainingStep.Settings.Plain : TrainingStep.Settings.Of(c.Training) with { AccumulationSteps = 1 };
        var shuffle = c.Training.Shuffle || treatment?.Shuffle == true;
        arm.Model.train();
        for (; arm.Taken < steps; arm.Taken++)
        {
            if (arm.Taken % 5 == 0)
            {
                c.ThrowIfCancelled();
                c.ThrowIfPastTimeLimit();
            }
            if (arm.Order.Count == 0)
                arm.Order.AddRange(train.BatchOrder(new BatchOptions { BatchSize = c.Training.BatchSize, Shuffle = shuffle, Seed = arm.Seed * 1000 + arm.Taken }).Reverse());
            var rows = arm.Order[^1];
            arm.Order.RemoveAt(arm.Order.Count - 1);
            using var scope = NewDisposeScope();
            var batch = arm.Transform(train.GetBatch(rows, arm.Model.Device));
            if (TrainingStep.Run(arm.Model, batch, arm.Optimizer, c.Training.Loss, setup, settings).Applied) arm.Applied++;
            arm.Rows += rows.Length;
            c.AddWork(rows.Length * TimeSteps);
        }
        var (final, relative, accuracy, balanced) = Measure(arm.Model, arm.Transform, treatment);
        arm.Last = new ArmResult(arm.InitialLoss, final, relative, accuracy, balanced, arm.Applied, arm.Rows);
        return arm.Last;
    }

    /// <summary>Starts, trains and disposes one arm.</summary>
    public ArmResult Run(Treatment? treatment, int seed, int steps)
    {
        using var arm = Start(treatment, seed);
        return Advance(arm, steps);
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
        if (treatment is null) return batch;
        if (treatment.MovePaddingToEnd || treatment.LengthsFromPadding) return TokenPadding.Transform(batch, treatment.MovePaddingToEnd, treatment.LengthsFromPadding);
        if (!(treatment.StandardizeInputs || treatment.StandardizeTargets)) return batch;
        var inputs = treatment.StandardizeInputs && inputMean is not null
            ? (batch.Inputs.to(ScalarType.Float32) - inputMean.to(batch.Inputs.device)) / inputStd!.to(batch.Inputs.device)
            : batch.Inputs;
        var targets = treatment.StandardizeTargets && targetMean is not null
            ? ((batch.Targets.to(ScalarType.Float32).reshape(-1, targetMean.shape[0]) - targetMean.to(batch.Targets.device)) / targetStd!.to(batch.Targets.device)).reshape(batch.Targets.shape)
            : batch.Targets;
        return new DataBatch(inputs, targets, batch.Lengths, batch.Indices);
    }

    /// <summary>Probe loss (the user's loss setup), that loss relative to the trivial predictor's, accuracy and balanced accuracy.</summary>
    private (double Loss, double Relative, double Accuracy, double Balanced) Measure(SequenceModel model, DataBatchTransform transform, Treatment? treatment)
    {
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            using var scope = NewDisposeScope();
            var batch = transform(probe.GetBatch(Enumerable.Range(0, (int)probe.Count).Select(i => (long)i).ToArray(), model.Device));
            var (output, loss, mask) = TrainingStep.BatchLoss(model, batch, c.Training.Loss, c.Setup);
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
