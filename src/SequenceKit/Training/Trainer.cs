using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Monitoring;
using SequenceKit.Preprocessing;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Schedulers;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Training;

/// <summary>
/// Trains, evaluates and runs <see cref="SequenceModel"/>s: <see cref="Fit"/> (with validation, metrics, schedulers,
/// callbacks, clipping, accumulation, class weights, cancellation and checkpoints), <see cref="Evaluate"/> and
/// <c>Predict</c> (on tensors or a dataset). Every step runs in its own dispose scope and only scalars leave it, so native memory stays
/// flat; everything is checked before the first batch, so a mismatch fails fast with an explanation.
/// </summary>
public static class Trainer
{
    /// <summary>The category of the trainer's log lines when they go through <see cref="SequenceKitLogging.LoggerFactory"/>.</summary>
    public const string LogCategory = "SequenceKit.Training.Trainer";

    /// <summary>Trains a model.</summary>
    /// <param name="model">The model; it stays on its device, and batches are moved there.</param>
    /// <param name="train">The training data.</param>
    /// <param name="validation">Data evaluated after every epoch ("val_" metrics), or null.</param>
    /// <param name="options">Loss, optimizer, epochs and the rest.</param>
    /// <param name="cancellationToken">Stops training at the next batch boundary; the history so far is returned.</param>
    /// <returns>Per-epoch metrics, learning rates and times, and why training stopped.</returns>
    /// <exception cref="ArgumentException">The data does not fit the model, a row of it holds NaN/±Inf, a token outside the vocabulary or a bad length (the message names the row), or an option is out of range.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option, or a hyperparameter of the optimizer, is out of range (the message names the property, the value and the range).</exception>
    /// <exception cref="SequenceKitException">The loss, output layer and targets do not fit together, or a monitored metric does not exist.</exception>
    /// <exception cref="InvalidOperationException">Another <c>Fit</c> call is already training <paramref name="model"/> (nothing is changed; that run goes on).</exception>
    public static History Fit(SequenceModel model, SequenceDataset train, SequenceDataset? validation, TrainerOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        using var lease = model.BeginTraining();         // a second Fit on this model is refused here, before it touches anything
        var run = Prepare(model, train, validation, options);
        CheckOptimizer(options);
        var logger = SequenceKitLogging.Resolve(options.Logger, LogCategory);
        using var classWeights = run.Setup.ClassWeights;
        using var optimizer = options.Optimizer.Create(model.parameters());    // checks the hyperparameters before TorchSharp sees them
        using var guard = new ParameterGuard(model);
        var history = new History();
        var baseRate = options.Optimizer.LearningRate;
        var firstEpoch = 0;
        var resumeFrom = options.ResumeFrom ?? (options.ResumeFromIfPresent is { } optional && File.Exists(optional) ? optional : null);
        var schedulerRestored = false;
        if (resumeFrom is not null)
        {
            // A transaction: everything is read and checked first; only then do the model, optimizer and history change.
            using var resume = TrainingCheckpoint.Read(resumeFrom, model, optimizer, options);
            resume.Apply(model, optimizer, options, history);
            (firstEpoch, baseRate, schedulerRestored) = (resume.NextEpoch, resume.BaseRate, resume.HasSchedulerState);
        }

        var nextEpoch = firstEpoch;
        var rates = new LearningRateState(history, baseRate);
        var context = new TrainingContext(model, optimizer, history, options.Epochs, run.Names,
            path => TrainingCheckpoint.Save(path, model, optimizer, options, history, nextEpoch, rates.BaseRate))
        { Modes = run.Modes, Train = train, Validation = validation, Options = options, Rates = rates, CancellationToken = cancellationToken };
        if (!schedulerRestored && options.MetricScheduler is { } started)
            started.Start(started.Mode ?? context.ModeOf(started.Monitor));
        foreach (var callback in options.Callbacks) callback.OnTrainBegin(context);

        for (var epoch = firstEpoch; epoch < options.Epochs && !context.StopRequested; epoch++)
        {
            if (cancellationToken.IsCancellationRequested) { Cancelled(context, epoch, 0); break; }
            var clock = Stopwatch.StartNew();
            Reseed(options.Seed, epoch, model.Device);
            context.Epoch = epoch;
            model.train();
            guard.BeginEpoch();
            foreach (var callback in options.Callbacks) callback.OnEpochBegin(context);

            var batches = train.BatchOrder(new BatchOptions { BatchSize = options.BatchSize, Shuffle = options.Shuffle, Seed = EpochSeed(options.Seed, epoch) });
            context.BatchesPerEpoch = batches.Count;
            foreach (var metric in run.Metrics) metric.Reset(run.MetricSetup);
            double lossSum = 0;
            long samples = 0;
            ZeroGradients(optimizer);
            using var prefetch = options.PrefetchBatches > 0
                ? new BatchPrefetcher(batches, rows => train.GetBatch(rows, model.Device), options.PrefetchBatches, cancellationToken)
                : null;
            for (var b = 0; b < Math.Min(ReadAheadBatches, batches.Count); b++) train.ReadAhead(batches[b]);
            for (var b = 0; b < batches.Count; b++)
            {
                if (b + ReadAheadBatches < batches.Count) train.ReadAhead(batches[b + ReadAheadBatches]);   // a mapped file: read while this step runs
                if (cancellationToken.IsCancellationRequested)
                {
                    ZeroGradients(optimizer);       // drop a half-accumulated step: weights stay as of the last full step
                    Cancelled(context, epoch, b);
                    break;
                }
                context.Batch = b;
                var position = new SchedulePosition(epoch, b, batches.Count, options.Epochs);
                var rate = options.Schedule?.LearningRate(rates.BaseRate, position) ?? rates.BaseRate;
                foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
                if (options.Schedule is IMomentumSchedule { } momentumSchedule && momentumSchedule.Momentum(position) is { } momentum)
                    OptimizerMomentum.Set(optimizer, momentum);
                foreach (var callback in options.Callbacks) callback.OnBatchBegin(context);

                var isStep = (b + 1) % options.AccumulationSteps == 0 || b == batches.Count - 1;
                var prefetched = prefetch?.Next();
                if (prefetch is not null && prefetched is null)             // cancelled while waiting for the batch
                {
                    ZeroGradients(optimizer);
                    Cancelled(context, epoch, b);
                    break;
                }
                var (loss, applied) = TrainStep(model, train, batches[b], prefetched, optimizer, options, run, isStep);
                if (applied && !guard.AllFinite())
                {
                    ParametersNotFinite(context, guard, epoch, b);
                    break;
                }
                if (double.IsFinite(loss))
                {
                    lossSum += loss * batches[b].Length;                 // the epoch's loss: over the steps applied
                    samples += batches[b].Length;
                }
                else
                {
                    history.AddEvent(new SkippedStep(epoch, b, loss));
                }
                context.BatchLoss = loss;
                context.LearningRate = optimizer.ParamGroups.First().LearningRate;
                options.Progress?.Report(new(epoch + 1, options.Epochs, b + 1, batches.Count, loss, samples == 0 ? double.NaN : lossSum / samples));
                foreach (var callback in options.Callbacks) callback.OnBatchEnd(context);
                MemoryTrimmer.CountStep(options.MemoryTrim);
                if (context.StopRequested) break;
            }
            if (context.StopRequested) break;

            var metrics = new Dictionary<string, double> { ["loss"] = samples == 0 ? double.NaN : lossSum / samples };
            foreach (var metric in run.Metrics) metrics[metric.Name] = metric.Result();
            if (validation is not null)
                foreach (var (name, value) in RunEvaluation(model, validation, run, run.Metrics, options.BatchSize))
                    metrics["val_" + name] = value;
            var record = new EpochRecord(epoch, metrics, context.LearningRate, clock.Elapsed);
            history.Add(record);
            context.EpochMetrics = metrics;
            nextEpoch = epoch + 1;

            if (options.MetricScheduler is { } scheduler)
            {
                rates.Follow(epoch, scheduler.Step(metrics[scheduler.Monitor], rates.BaseRate, out var message), message ?? scheduler.GetType().Name);
                if (message is not null) logger.LogInformation("Epoch {Epoch}: {Message}", epoch + 1, message);
            }
            if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("{Line}", EpochLine(record, options.Epochs));
            foreach (var callback in options.Callbacks) callback.OnEpochEnd(context);
        }

        if (!context.StopRequested)
        {
            history.StopReason = StopReason.Completed;
            history.StopMessage = string.Create(CultureInfo.InvariantCulture, $"all {history.Epochs.Count} epoch(s) ran.");
        }
        foreach (var callback in options.Callbacks) callback.OnTrainEnd(context);
        model.eval();
        return history;
    }

    /// <summary>The loss and metrics of a model on a dataset (evaluation mode, no gradients).</summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The data.</param>
    /// <param name="options">The loss, metrics and batch size to use.</param>
    /// <returns>"loss" and each metric by name (no "val_" prefix); a missing name throws a message listing those there are.</returns>
    /// <exception cref="ArgumentException">The data does not fit the model, or a row holds NaN/±Inf, a token outside the vocabulary or a bad length (the message names the row).</exception>
    /// <exception cref="SequenceKitException">The loss, output layer and targets do not fit together.</exception>
    /// <exception cref="InvalidOperationException">Another thread's <c>Fit</c> is training <paramref name="model"/> (a training callback may evaluate).</exception>
    public static MetricValues Evaluate(SequenceModel model, SequenceDataset data, TrainerOptions options)
    {
        var run = PrepareForEvaluation(model, data, options);
        using var classWeights = run.Setup.ClassWeights;
        return new MetricValues(RunEvaluation(model, data, run, run.Metrics, options.BatchSize));
    }

    /// <summary>
    /// Runs the model over every sample of a dataset, in order, in batches, in evaluation mode without gradients; a
    /// dataset over <c>.npy</c> files or lazy windows is read a batch at a time (the next batch's rows asked for ahead).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The samples (their targets are not used); every row is checked first, as <see cref="Evaluate"/> does.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default 256.</param>
    /// <returns>The outputs of all samples, in row order, on the CPU.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    /// <exception cref="ArgumentException">The data does not fit the model, or a row holds NaN/±Inf, a token outside the vocabulary or a bad length (the message names the row).</exception>
    /// <exception cref="InvalidOperationException">Another thread's <c>Fit</c> is training <paramref name="model"/> (a training callback may predict).</exception>
    public static Tensor Predict(SequenceModel model, SequenceDataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"batchSize must be positive; got {batchSize}.");
        InputContract.CheckShape(model, data.InputShape, InputRole.Data);
        InputContract.CheckRows(model, data.Inputs, data.Lengths, InputRole.Data);
        var outputs = new List<Tensor>();
        try
        {
            ForEachEvaluationBatch(model, data, batchSize, (output, _, _, _) => outputs.Add(output.cpu().DetachFromDisposeScope()), caller: "Trainer.Predict");
            return cat(outputs, 0);
        }
        finally
        {
            foreach (var output in outputs) output.Dispose();
        }
    }

    /// <summary>
    /// Runs the model over inputs in batches, in evaluation mode without gradients, each batch in its own dispose scope.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="inputs">(samples, …) inputs on any device.</param>
    /// <param name="lengths">(samples) sequence lengths, or null.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default 256.</param>
    /// <returns>The outputs of all samples, on the CPU. For arrays in and arrays out, see <see cref="SequenceModel.Predict"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or a row holds NaN/±Inf, a token outside the vocabulary or a bad length (the message names the row in <paramref name="inputs"/>).</exception>
    /// <exception cref="InvalidOperationException">Another thread's <c>Fit</c> is training <paramref name="model"/> (a training callback may predict).</exception>
    public static Tensor Predict(SequenceModel model, Tensor inputs, Tensor? lengths = null, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.PredictTensor(inputs, lengths, batchSize, "Trainer.Predict");
    }

    /// <summary>The confusion matrix of a classifier on a dataset.</summary>
    /// <param name="model">A classification model.</param>
    /// <param name="data">Data with class-index or one-hot targets.</param>
    /// <param name="batchSize">Samples per forward pass. Default 256.</param>
    /// <returns>Counts[actual, predicted], with per-class accuracy and macro scores.</returns>
    public static ConfusionMatrix ConfusionMatrix(SequenceModel model, SequenceDataset data, int batchSize = 256)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        InputContract.CheckRows(model, data.Inputs, data.Lengths, InputRole.Data);
        var matrix = new ConfusionMatrix();
        matrix.Reset(new MetricSetup(OutputActivation(model), model.OutputShape.Features));
        ForEachEvaluationBatch(model, data, batchSize, (output, _, batch, mask) => matrix.Update(output, batch.Targets, mask));
        return matrix;
    }

    /// <summary>Predicted and true class of every item of a dataset (padded steps left out), in row order, on the CPU.</summary>
    internal static (long[] Predicted, long[] Actual) Classes(SequenceModel model, SequenceDataset data, MetricSetup setup, int batchSize = 256)
    {
        var predicted = new List<long>();
        var actual = new List<long>();
        ForEachEvaluationBatch(model, data, batchSize, (output, _, batch, mask) =>
        {
            var (p, a) = ClassPredictions.Of(output, batch.Targets, setup, mask);
            predicted.AddRange(p.data<long>());
            actual.AddRange(a.data<long>());
        }, valuesChecked: false);
        return (predicted.ToArray(), actual.ToArray());
    }

    /// <summary>The loss setup for a model and data, checked as <see cref="Fit"/> checks it (for diagnostic probes).</summary>
    internal static LossSetup CreateLossSetup(SequenceModel model, SequenceDataset data, TrainerOptions options) =>
        PrepareForEvaluation(model, data, options).Setup;

    /// <summary>The checks of <see cref="Fit"/> without what only training uses (callbacks, schedulers, resuming).</summary>
    private static Run PrepareForEvaluation(SequenceModel model, SequenceDataset data, TrainerOptions options) =>
        Prepare(model, data, null, options with { Callbacks = [], MetricScheduler = null, ResumeFrom = null, ResumeFromIfPresent = null }, InputRole.Data);

    // Metrics: the options' metrics, then an original-units twin of each error metric when the model carries a target scaler.
    private sealed record Run(LossSetup Setup, MetricSetup MetricSetup, IReadOnlyList<string> Names, IReadOnlyDictionary<string, MetricMode> Modes, ILoss Loss,
        IReadOnlyList<IMetric> Metrics);

    /// <summary>
    /// One batch (the prefetched one, which this disposes, or the rows read now): forward, backward and, when
    /// <paramref name="isStep"/>, the optimizer step.
    /// </summary>
    /// <returns>The batch loss, and whether an optimizer step was applied.</returns>
    private static (double Loss, bool Applied) TrainStep(SequenceModel model, SequenceDataset train, long[] rows, DataBatch? prefetched,
        OptimizerHelper optimizer, TrainerOptions options, Run run, bool isStep)
    {
        using var owned = prefetched;
        using var scope = NewDisposeScope();
        var batch = prefetched ?? train.GetBatch(rows, model.Device);
        // Prepare checked every row as batches hold it. A non-finite loss is never applied (callbacks decide what next).
        var (value, applied, output, mask) = TrainingStep.Run(model, batch, optimizer, run.Loss, run.Setup, TrainingStep.Settings.Of(options), isStep, valuesChecked: true);
        if (!double.IsFinite(value)) return (value, false);
        using (no_grad())
            foreach (var metric in run.Metrics) metric.Update(output.detach(), batch.Targets, mask);
        return (value, applied);
    }

    /// <summary>A step left parameters non-finite: roll back to the start of the epoch, record it, and stop.</summary>
    private static void ParametersNotFinite(TrainingContext context, ParameterGuard guard, int epoch, int batch)
    {
        var names = guard.NonFinite();
        guard.RollBack();
        context.History.AddEvent(new ParametersRolledBack(epoch, batch, names));
        context.RequestStop(StopReason.NonFiniteParameters, string.Create(CultureInfo.InvariantCulture,
            $"The optimizer step of epoch {epoch + 1}, batch {batch + 1} left {string.Join(", ", names)} NaN or infinite; weights restored to the start of epoch {epoch + 1}. Check the optimizer's hyperparameters (a tiny Epsilon, a large LearningRate), clip gradients (TrainerOptions.ClipGradientNorm) or check the inputs for extreme values."));
    }

    /// <summary>
    /// TorchSharp's <c>zero_grad</c> creates a tensor wrapper per parameter that only a dispose scope frees (measured:
    /// 6 live tensors per call on a 6-parameter model), so outside a step it runs in a scope of its own.
    /// </summary>
    private static void ZeroGradients(OptimizerHelper optimizer)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
    }

    private static Dictionary<string, double> RunEvaluation(SequenceModel model, SequenceDataset data, Run run, IReadOnlyList<IMetric> metrics, int batchSize)
    {
        foreach (var metric in metrics) metric.Reset(run.MetricSetup);
        double lossSum = 0;
        long samples = 0;
        ForEachEvaluationBatch(model, data, batchSize, (output, logits, batch, mask) =>
        {
            lossSum += run.Loss.ComputeFromLogits(logits, output, batch.Targets, run.Setup, mask).item<float>() * batch.Indices.Length;
            samples += batch.Indices.Length;
            foreach (var metric in metrics) metric.Update(output, batch.Targets, mask);
        });
        var result = new Dictionary<string, double> { ["loss"] = lossSum / samples };
        foreach (var metric in metrics) result[metric.Name] = metric.Result();
        return result;
    }

    private static void ForEachEvaluationBatch(SequenceModel model, SequenceDataset data, int batchSize, Action<Tensor, Tensor, DataBatch, Tensor?> visit,
        bool valuesChecked = true, string caller = "Trainer.Evaluate")
    {
        model.EnsureNotTrainedElsewhere(caller);      // Fit's own validation runs on the training thread
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var _ = no_grad();
            var order = data.BatchOrder(new BatchOptions { BatchSize = batchSize, Shuffle = false });
            for (var b = 0; b < order.Count; b++)
            {
                var rows = order[b];
                if (b + 1 < order.Count) data.ReadAhead(order[b + 1]);
                using var scope = NewDisposeScope();
                var batch = data.GetBatch(rows, model.Device);
                var (output, logits) = model.ForwardWithLogits(batch.Inputs, batch.Lengths, valuesChecked);
                visit(output, logits, batch, StepMask(output, batch.Lengths));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>
    /// The one batch loss: the model's output on a batch, the loss exactly as training computes it (padded steps masked,
    /// class weights from <paramref name="setup"/>), and the step mask. The trainer, evaluation, the training doctor's
    /// probes and <c>LearningRateFinder</c> all call this.
    /// </summary>
    internal static (Tensor Output, Tensor Loss, Tensor? Mask) BatchLoss(SequenceModel model, DataBatch batch, ILoss loss, LossSetup setup, bool valuesChecked = false)
    {
        var (output, logits) = model.ForwardWithLogits(batch.Inputs, batch.Lengths, valuesChecked);      // softmax/sigmoid losses read the logits
        var mask = StepMask(output, batch.Lengths);
        return (output, loss.ComputeFromLogits(logits, output, batch.Targets, setup, mask), mask);
    }

    /// <summary>(batch, time) true at real steps, for sequence outputs of a padded batch; otherwise null.</summary>
    private static Tensor? StepMask(Tensor output, Tensor? lengths)
    {
        if (lengths is null || output.Dimensions != 3) return null;
        var steps = arange(output.shape[1], device: output.device).unsqueeze(0);     // (1, T)
        return steps.lt(lengths.to(output.device).unsqueeze(1));                       // (B, T)
    }

    /// <summary>How many batches ahead of the step a memory-mapped training set is asked to be read (<see cref="SequenceDataset.ReadAhead"/>).</summary>
    private const int ReadAheadBatches = 2;

    private static Run Prepare(SequenceModel model, SequenceDataset train, SequenceDataset? validation, TrainerOptions options,
        InputRole role = InputRole.Training)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Loss, nameof(options));
        CheckOptions(options);
        InputContract.CheckShape(model, train.InputShape, role);
        // Every row's values before the first step: a bad value is reported at its dataset row, and no step is applied.
        InputContract.CheckRows(model, train.Inputs, train.Lengths, role);
        if (validation is not null)
        {
            InputContract.CheckShape(model, validation.InputShape, InputRole.Validation);
            InputContract.CheckRows(model, validation.Inputs, validation.Lengths, InputRole.Validation);
            if (!validation.TargetShape.SequenceEqual(train.TargetShape) || validation.TargetType != train.TargetType)
                throw new ArgumentException(
                    $"validation targets have shape per sample [{string.Join(", ", validation.TargetShape)}] ({validation.TargetType}) but training targets [{string.Join(", ", train.TargetShape)}] ({train.TargetType}); they must match.",
                    nameof(validation));
        }

        var activation = OutputActivation(model);
        var setup = TargetSetup(model, train, activation, options, role);
        try
        {
            options.Loss.Check(setup);
            if (validation is not null) CheckTargetValues(validation, InputRole.Validation, setup);
        }
        catch
        {
            setup.ClassWeights?.Dispose();
            throw;
        }

        var names = new List<string> { "loss" };
        var modes = new Dictionary<string, MetricMode> { ["loss"] = MetricMode.Minimize, ["lr"] = MetricMode.Minimize };
        if (options.Metrics.Any(m => m is null)) throw new ArgumentException("TrainerOptions.Metrics holds null.", nameof(options));
        var metrics = options.Metrics.ToList();
        if (model.TargetScaler is { } targetScaler)                  // errors in the targets' original units too ("mae_original")
            metrics.AddRange(options.Metrics.OfType<ElementwiseErrorMetric>().Select(m => new OriginalUnitsMetric(m.Fresh(), targetScaler)));
        foreach (var metric in metrics)
        {
            if (metric is null) throw new ArgumentException("TrainerOptions.Metrics holds null.", nameof(options));
            if (modes.ContainsKey(metric.Name)) throw new ArgumentException($"Two metrics are named '{metric.Name}'.", nameof(options));
            names.Add(metric.Name);
            modes[metric.Name] = metric.Mode;
        }
        if (validation is not null)
            foreach (var name in names.ToList())
            {
                names.Add("val_" + name);
                modes["val_" + name] = modes[name];
            }
        names.Add("lr");

        if (options.MetricScheduler is { } scheduler && !names.Contains(scheduler.Monitor))
        {
            setup.ClassWeights?.Dispose();
            throw new SequenceKitException(
                $"{scheduler.GetType().Name} monitors '{scheduler.Monitor}', which this training run does not produce. Available: {string.Join(", ", names)}." +
                (scheduler.Monitor.StartsWith("val_", StringComparison.Ordinal) && validation is null ? " Pass a validation set to Fit to get val_ metrics." : ""));
        }
        return new Run(setup, new MetricSetup(activation, model.OutputShape.Features), names, modes, options.Loss, metrics);
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

    /// <summary>The checks every optimizer gets (the built-ins check their other hyperparameters in Create).</summary>
    private static void CheckOptimizer(TrainerOptions options)
    {
        if (options.Optimizer is null) throw new ArgumentNullException(nameof(options), "TrainerOptions.Optimizer is null.");
        var rate = options.Optimizer.LearningRate;
        if (!(rate > 0 && double.IsFinite(rate)))
            throw new ArgumentOutOfRangeException(nameof(Optimizers.IOptimizerFactory.LearningRate), rate,
                string.Create(CultureInfo.InvariantCulture, $"{options.Optimizer.GetType().Name}.LearningRate must be positive and finite; got {rate}."));
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

    private static Activation OutputActivation(SequenceModel model) => model.Layers[^1] is Dense dense ? dense.Activation : Activation.None;

    private static void Reseed(int seed, int epoch, ComputeDevice device)
    {
        var epochSeed = EpochSeed(seed, epoch);
        manual_seed(epochSeed);
        if (device.Kind == DeviceKind.Cuda) cuda.manual_seed_all(epochSeed);
    }

    private static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch);

    private static void Cancelled(TrainingContext context, int epoch, int batch) =>
        context.RequestStop(StopReason.Cancelled, string.Create(CultureInfo.InvariantCulture,
            $"Cancelled before epoch {epoch + 1}, batch {batch + 1}; {context.History.Epochs.Count} epoch(s) completed, weights as of the last optimizer step."));

    private static string EpochLine(EpochRecord record, int epochs) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Epoch {record.Epoch + 1}/{epochs} — {string.Join(", ", record.Metrics.Select(m => $"{m.Key} {m.Value:F4}"))}, lr {record.LearningRate:0.###e+0}, {record.Duration.TotalSeconds:F1} s");
}
