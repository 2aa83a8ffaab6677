using System.Globalization;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Monitoring;
using SequenceKit.Preprocessing;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using static TorchSharp.torch;

namespace SequenceKit.Training;

/// <summary>
/// What a run trains or evaluates with, checked before the first batch and disposed as one: the loss setup (with the
/// class weights, its only native memory), the metrics and their names and modes. <see cref="Create"/> validates the
/// options and the data (through the model's <see cref="InputContract"/>), so a mismatch fails fast, names the
/// argument it came in, and allocates nothing that is not released.
/// </summary>
/// <param name="Setup">How the loss reads outputs and targets; owns the class weights.</param>
/// <param name="MetricSetup">How the metrics read outputs.</param>
/// <param name="Names">Every metric the run produces, in order ("loss", the metrics, their "val_" twins, "lr").</param>
/// <param name="Modes">Whether each metric is minimized or maximized.</param>
/// <param name="Loss">The loss.</param>
/// <param name="Metrics">The options' metrics, then an original-units twin of each error metric when the model carries a target scaler.</param>
internal sealed record TrainingPlan(LossSetup Setup, MetricSetup MetricSetup, IReadOnlyList<string> Names, IReadOnlyDictionary<string, MetricMode> Modes, ILoss Loss,
    IReadOnlyList<IMetric> Metrics) : IDisposable
{
    /// <summary>Checks the options and data and builds the plan; <paramref name="role"/> names the first data set in errors.</summary>
    public static TrainingPlan Create(SequenceModel model, SequenceDataset train, SequenceDataset? validation, TrainerOptions options, InputRole role = InputRole.Training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Loss, nameof(options));
        CheckOptions(options);
        CheckData(model, train, validation, role);
        var activation = OutputActivation(model);
        var setup = TargetSetup(model, train, activation, options, role);
        try
        {
            options.Loss.Check(setup);
            if (validation is not null) CheckTargetValues(validation, InputRole.Validation, setup);
            var (names, modes, metrics) = MetricsOf(model, options, validation is not null);
            if (options.MetricScheduler is { } scheduler) TrainingContext.RequireMetric(names, scheduler.Monitor, scheduler.GetType().Name);
            return new TrainingPlan(setup, new MetricSetup(activation, model.OutputShape.Features), names, modes, options.Loss, metrics);
        }
        catch
        {
            setup.ClassWeights?.Dispose();
            throw;
        }
    }

    /// <summary>The checks of <c>Fit</c> without what only training uses (callbacks, schedulers, resuming), naming the data <c>data</c>.</summary>
    public static TrainingPlan ForEvaluation(SequenceModel model, SequenceDataset data, TrainerOptions options) =>
        Create(model, data, null, options with { Callbacks = [], MetricScheduler = null, ResumeFrom = null, ResumeFromIfPresent = null }, InputRole.Data);

    /// <summary>The output activation of the model's last layer (a Dense's), or none.</summary>
    public static Activation OutputActivation(SequenceModel model) => model.Layers[^1] is Dense dense ? dense.Activation : Activation.None;

    /// <summary>Releases the class weights.</summary>
    public void Dispose() => Setup.ClassWeights?.Dispose();

    /// <summary>The checks every optimizer gets (the built-ins check their other hyperparameters in Create).</summary>
    public static void CheckOptimizer(TrainerOptions options)
    {
        if (options.Optimizer is null) throw new ArgumentNullException(nameof(options), "TrainerOptions.Optimizer is null.");
        var rate = options.Optimizer.LearningRate;
        if (!(rate > 0 && double.IsFinite(rate)))
            throw new ArgumentOutOfRangeException(nameof(Optimizers.IOptimizerFactory.LearningRate), rate,
                string.Create(CultureInfo.InvariantCulture, $"{options.Optimizer.GetType().Name}.LearningRate must be positive and finite; got {rate}."));
    }

    private static void CheckData(SequenceModel model, SequenceDataset train, SequenceDataset? validation, InputRole role)
    {
        InputContract.CheckShape(model, train.InputShape, role);
        // Every row's values before the first step: a bad value is reported at its dataset row, and no step is applied.
        InputContract.CheckRows(model, train.Inputs, train.Lengths, role);
        if (validation is null) return;
        InputContract.CheckShape(model, validation.InputShape, InputRole.Validation);
        InputContract.CheckRows(model, validation.Inputs, validation.Lengths, InputRole.Validation);
        if (!validation.TargetShape.SequenceEqual(train.TargetShape) || validation.TargetType != train.TargetType)
            throw new ArgumentException(
                $"validation targets have shape per sample [{string.Join(", ", validation.TargetShape)}] ({validation.TargetType}) but training targets [{string.Join(", ", train.TargetShape)}] ({train.TargetType}); they must match.",
                nameof(validation));
    }

    private static (List<string> Names, Dictionary<string, MetricMode> Modes, List<IMetric> Metrics) MetricsOf(SequenceModel model, TrainerOptions options, bool validation)
    {
        var names = new List<string> { "loss" };
        var modes = new Dictionary<string, MetricMode> { ["loss"] = MetricMode.Minimize, ["lr"] = MetricMode.Minimize };
        if (options.Metrics.Any(m => m is null)) throw new ArgumentException("TrainerOptions.Metrics holds null.", nameof(options));
        var metrics = options.Metrics.ToList();
        if (model.TargetScaler is { } targetScaler)                  // errors in the targets' original units too ("mae_original")
            metrics.AddRange(options.Metrics.OfType<ElementwiseErrorMetric>().Select(m => new OriginalUnitsMetric(m.Fresh(), targetScaler)));
        foreach (var metric in metrics)
        {
            if (modes.ContainsKey(metric.Name)) throw new ArgumentException($"Two metrics are named '{metric.Name}'.", nameof(options));
            names.Add(metric.Name);
            modes[metric.Name] = metric.Mode;
        }
        if (validation)
            foreach (var name in names.ToList())
            {
                names.Add("val_" + name);
                modes["val_" + name] = modes[name];
            }
        names.Add("lr");
        return (names, modes, metrics);
    }

    private static void CheckOptions(TrainerOptions options)
    {
        if (options.Epochs <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Epochs, $"TrainerOptions.Epochs must be positive; got {options.Epochs}.");
        if (options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"TrainerOptions.BatchSize must be positive; got {options.BatchSize}.");
        if (options.AccumulationSteps <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.AccumulationSteps, $"TrainerOptions.AccumulationSteps must be positive; got {options.AccumulationSteps}.");
        if (options.ClipGradientNorm is { } norm && !(norm > 0 && double.IsFinite(norm)))
            throw new ArgumentOutOfRangeException(nameof(options), norm, $"TrainerOptions.ClipGradientNorm must be positive and finite (null for no clipping); got {norm}.");
        if (options.ClipGradientValue is { } value && !(value > 0 && double.IsFinite(value)))
            throw new ArgumentOutOfRangeException(nameof(options), value, $"TrainerOptions.ClipGradientValue must be positive and finite (null for no clipping); got {value}.");
        if (options.PrefetchBatches < 0) throw new ArgumentOutOfRangeException(nameof(options), options.PrefetchBatches, $"TrainerOptions.PrefetchBatches must be ≥ 0; got {options.PrefetchBatches}.");
        options.MemoryTrim?.Check();
        if (options.Callbacks.Any(c => c is null)) throw new ArgumentException("TrainerOptions.Callbacks holds null.", nameof(options));
        if (options.ResumeFrom is not null && options.ResumeFromIfPresent is not null)
            throw new ArgumentException(
                $"TrainerOptions.ResumeFrom ('{options.ResumeFrom}') and ResumeFromIfPresent ('{options.ResumeFromIfPresent}') are both set; " +
                "set one: ResumeFrom when the checkpoint must exist, ResumeFromIfPresent to start fresh when it does not.", nameof(options));
    }

    private static LossSetup TargetSetup(SequenceModel model, SequenceDataset train, Activation activation, TrainerOptions options, InputRole role)
    {
        using var scope = NewDisposeScope();
        var targets = train.Targets;
        var asDouble = targets.to(ScalarType.Float64);
        if (is_floating_point(targets) && isnan(asDouble).any().item<bool>())
        {
            var row = isnan(asDouble).reshape(targets.shape[0], -1).any(1).nonzero()[0, 0].item<long>();
            throw new ArgumentException($"The {role.Noun()}'s targets contain NaN (first in row {row}); remove or impute those samples.", role.ParamName());
        }
        var (min, max) = (asDouble.min().item<double>(), asDouble.max().item<double>());
        var distributions = is_floating_point(targets) && targets.Dimensions >= 2 && min >= 0 && max <= 1
            && (asDouble.sum(-1) - 1).abs().max().item<double>() < 1e-4;

        Tensor? weights = null;
        if (options.ClassWeights is { } classWeights)
        {
            var classes = model.OutputShape.Features == 1 ? 2 : model.OutputShape.Features;
            if (classWeights.Count != classes)
                throw new ArgumentException($"TrainerOptions.ClassWeights has {classWeights.Count} entries; the model's output needs {classes} (one per class).", nameof(options));
            if (classWeights.Any(w => !(w >= 0) || double.IsInfinity(w)))
                throw new ArgumentException($"TrainerOptions.ClassWeights must be finite and ≥ 0; got [{string.Join(", ", classWeights)}].", nameof(options));
            weights = tensor(classWeights.Select(w => (float)w).ToArray()).to(model.Device.ToTorch()).MoveToOuterDisposeScope();
        }
        return new LossSetup(activation, model.OutputShape, targets.dtype, train.TargetShape, min, max, distributions, weights);
    }

    private static void CheckTargetValues(SequenceDataset data, InputRole role, LossSetup setup)
    {
        var what = role.Noun();
        using var scope = NewDisposeScope();
        var values = data.Targets.to(ScalarType.Float64);
        if (isnan(values).any().item<bool>())
            throw new ArgumentException($"The {what}'s targets contain NaN; remove or impute those samples.", role.ParamName());
        if (setup.TargetsAreIndices && (values.min().item<double>() < 0 || values.max().item<double>() >= Math.Max(2, setup.OutputUnits)))
            throw new SequenceKitException(
                $"A label of the {what} ({values.min().item<double>()}..{values.max().item<double>()}) is outside 0..{Math.Max(2, setup.OutputUnits) - 1}, the classes the model outputs.");
    }
}
