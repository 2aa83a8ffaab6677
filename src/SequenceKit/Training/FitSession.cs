using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SequenceKit.Backends;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Training;

/// <summary>
/// One <c>Trainer.Fit</c> run, disposed as one: the checked plan (<see cref="TrainingPlan"/>), the optimizer, the
/// parameter guard, the history and the callbacks' context, resumed from a checkpoint when the options say so. Its
/// epoch is a plain loop over <see cref="EpochBatches"/>: set the rate, run the shared <see cref="TrainingStep"/>,
/// handle a non-finite result, report progress and call the callbacks.
/// </summary>
internal sealed class FitSession : IDisposable
{
    private readonly SequenceModel model;
    private readonly SequenceDataset train;
    private readonly SequenceDataset? validation;
    private readonly TrainerOptions options;
    private readonly TrainingPlan plan;
    private readonly OptimizerHelper optimizer;
    private readonly ParameterGuard guard;
    private readonly RateController rate;
    private readonly ILogger logger;
    private readonly History history = new();
    private readonly TrainingContext context;
    private readonly CancellationToken cancellationToken;
    private readonly TrainingStep.Settings stepSettings;
    private int nextEpoch;

    private FitSession(SequenceModel model, SequenceDataset train, SequenceDataset? validation, TrainerOptions options, TrainingPlan plan, OptimizerHelper optimizer,
        CancellationToken cancellationToken)
    {
        (this.model, this.train, this.validation, this.options, this.plan, this.optimizer, this.cancellationToken) = (model, train, validation, options, plan, optimizer, cancellationToken);
        logger = SequenceKitLogging.Resolve(options.Logger, Trainer.LogCategory);
        stepSettings = TrainingStep.Settings.Of(options);
        guard = new ParameterGuard(model);
        var baseRate = options.Optimizer.LearningRate;
        var schedulerRestored = false;
        var resumeFrom = options.ResumeFrom ?? (options.ResumeFromIfPresent is { } optional && File.Exists(optional) ? optional : null);
        if (resumeFrom is not null)
        {
            // A transaction: everything is read and checked first; only then do the model, optimizer and history change.
            using var resume = TrainingCheckpoint.Read(resumeFrom, model, optimizer, options);
            resume.Apply(model, optimizer, options, history);
            (nextEpoch, baseRate, schedulerRestored) = (resume.NextEpoch, resume.BaseRate, resume.HasSchedulerState);
        }
        FirstEpoch = nextEpoch;
        var rates = new LearningRateState(history, baseRate);
        rate = new RateController(options, rates, optimizer, logger);
        context = new TrainingContext(model, optimizer, history, options.Epochs, plan.Names,
            path => TrainingCheckpoint.Save(path, model, optimizer, options, history, nextEpoch, rates.BaseRate))
        { Modes = plan.Modes, Train = train, Validation = validation, Options = options, Rates = rates, CancellationToken = cancellationToken };
        rate.Start(context, schedulerRestored);
    }

    /// <summary>The epoch to start from (after a resumed checkpoint's, or 0).</summary>
    public int FirstEpoch { get; }

    /// <summary>A callback, a non-finite step or cancellation asked the run to stop.</summary>
    public bool StopRequested => context.StopRequested;

    /// <summary>Checks everything, creates the optimizer, resumes when asked, and calls the callbacks' <c>OnTrainBegin</c>.</summary>
    public static FitSession Start(SequenceModel model, SequenceDataset train, SequenceDataset? validation, TrainerOptions options, CancellationToken cancellationToken)
    {
        var plan = TrainingPlan.Create(model, train, validation, options);
        OptimizerHelper? optimizer = null;
        try
        {
            TrainingPlan.CheckOptimizer(options);
            optimizer = options.Optimizer.Create(model.parameters());    // checks the hyperparameters before TorchSharp sees them
            var session = new FitSession(model, train, validation, options, plan, optimizer, cancellationToken);
            foreach (var callback in options.Callbacks) callback.OnTrainBegin(session.context);
            return session;
        }
        catch
        {
            optimizer?.Dispose();
            plan.Dispose();
            throw;
        }
    }

    /// <summary>One pass over the training data, then the epoch's record; when the run stops during it (<see cref="StopRequested"/>), no record.</summary>
    public void TrainEpoch(int epoch)
    {
        if (cancellationToken.IsCancellationRequested) { Cancelled(epoch, 0); return; }
        var clock = Stopwatch.StartNew();
        Reseed(epoch);
        context.Epoch = epoch;
        model.train();
        guard.BeginEpoch();
        foreach (var callback in options.Callbacks) callback.OnEpochBegin(context);
        using var batches = new EpochBatches(train, options, EpochSeed(options.Seed, epoch), model.Device, cancellationToken);
        context.BatchesPerEpoch = batches.Count;
        foreach (var metric in plan.Metrics) metric.Reset(plan.MetricSetup);
        var loss = new RunningLoss();
        ZeroGradients();
        for (var b = 0; b < batches.Count && !context.StopRequested; b++)
        {
            if (!batches.TryNext(b, out var prefetched)) { ZeroGradients(); Cancelled(epoch, b); break; }   // a half-accumulated step is dropped
            context.Batch = b;
            rate.BeforeBatch(epoch, b, batches.Count);
            foreach (var callback in options.Callbacks) callback.OnBatchBegin(context);
            var isStep = (b + 1) % options.AccumulationSteps == 0 || b == batches.Count - 1;
            var (value, applied) = Step(batches[b], prefetched, isStep);
            if (applied && !guard.AllFinite()) { ParametersNotFinite(epoch, b); break; }
            if (!loss.Add(value, batches[b].Length)) history.AddEvent(new SkippedStep(epoch, b, value));
            context.BatchLoss = value;
            context.LearningRate = rate.Current;
            options.Progress?.Report(new(epoch + 1, options.Epochs, b + 1, batches.Count, value, loss.Mean));
            foreach (var callback in options.Callbacks) callback.OnBatchEnd(context);
            MemoryTrimmer.CountStep(options.MemoryTrim);
        }
        if (!context.StopRequested) EndEpoch(epoch, loss.Mean, clock.Elapsed);
    }

    /// <summary>Sets why the run stopped when it ran out of epochs, calls the callbacks' <c>OnTrainEnd</c>, and leaves the model in evaluation mode.</summary>
    public History Finish()
    {
        if (!context.StopRequested)
        {
            history.StopReason = StopReason.Completed;
            history.StopMessage = string.Create(CultureInfo.InvariantCulture, $"all {history.Epochs.Count} epoch(s) ran.");
        }
        foreach (var callback in options.Callbacks) callback.OnTrainEnd(context);
        model.eval();
        return history;
    }

    /// <summary>Releases the parameter guard's copy, the optimizer and the plan's class weights.</summary>
    public void Dispose()
    {
        guard.Dispose();
        optimizer.Dispose();
        plan.Dispose();
    }

    /// <summary>The epoch's metrics (validation included), its record, the metric scheduler and the callbacks' <c>OnEpochEnd</c>.</summary>
    private void EndEpoch(int epoch, double meanLoss, TimeSpan elapsed)
    {
        var metrics = new Dictionary<string, double> { ["loss"] = meanLoss };
        foreach (var metric in plan.Metrics) metrics[metric.Name] = metric.Result();
        if (validation is not null)
            foreach (var (name, value) in Trainer.RunEvaluation(model, validation, plan, plan.Metrics, options.BatchSize))
                metrics["val_" + name] = value;
        var record = new EpochRecord(epoch, metrics, context.LearningRate, elapsed);
        history.Add(record);
        context.EpochMetrics = metrics;
        nextEpoch = epoch + 1;
        rate.AfterEpoch(epoch, metrics);
        if (logger.IsEnabled(LogLevel.Information)) logger.LogInformation("{Line}", EpochLine(record));
        foreach (var callback in options.Callbacks) callback.OnEpochEnd(context);
    }

    /// <summary>
    /// One batch (the prefetched one, which this disposes, or the rows read now) through the shared step, and the
    /// metrics on its output. Every row was checked when the plan was made. A non-finite loss is never applied.
    /// </summary>
    private (double Loss, bool Applied) Step(long[] rows, DataBatch? prefetched, bool isStep)
    {
        using var owned = prefetched;
        using var scope = NewDisposeScope();
        var batch = prefetched ?? train.GetBatch(rows, model.Device);
        var (value, applied, output, mask) = TrainingStep.Run(model, batch, optimizer, plan.Loss, plan.Setup, stepSettings, isStep, valuesChecked: true);
        if (!double.IsFinite(value)) return (value, false);
        using (no_grad())
            foreach (var metric in plan.Metrics) metric.Update(output.detach(), batch.Targets, mask);
        return (value, applied);
    }

    /// <summary>A step left parameters non-finite: roll back to the start of the epoch, record it, and stop.</summary>
    private void ParametersNotFinite(int epoch, int batch)
    {
        var names = guard.NonFinite();
        guard.RollBack();
        history.AddEvent(new ParametersRolledBack(epoch, batch, names));
        context.RequestStop(StopReason.NonFiniteParameters, string.Create(CultureInfo.InvariantCulture,
            $"The optimizer step of epoch {epoch + 1}, batch {batch + 1} left {string.Join(", ", names)} NaN or infinite; weights restored to the start of epoch {epoch + 1}. Check the optimizer's hyperparameters (a tiny Epsilon, a large LearningRate), clip gradients (TrainerOptions.ClipGradientNorm) or check the inputs for extreme values."));
    }

    private void Cancelled(int epoch, int batch) =>
        context.RequestStop(StopReason.Cancelled, string.Create(CultureInfo.InvariantCulture,
            $"Cancelled before epoch {epoch + 1}, batch {batch + 1}; {history.Epochs.Count} epoch(s) completed, weights as of the last optimizer step."));

    /// <summary>
    /// TorchSharp's <c>zero_grad</c> creates a tensor wrapper per parameter that only a dispose scope frees (measured:
    /// 6 live tensors per call on a 6-parameter model), so outside a step it runs in a scope of its own.
    /// </summary>
    private void ZeroGradients()
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
    }

    private void Reseed(int epoch)
    {
        var epochSeed = EpochSeed(options.Seed, epoch);
        manual_seed(epochSeed);
        if (model.Device.Kind == DeviceKind.Cuda) cuda.manual_seed_all(epochSeed);
    }

    private static int EpochSeed(int seed, int epoch) => unchecked(seed * 1_000_003 + epoch);

    private string EpochLine(EpochRecord record) =>
        string.Create(CultureInfo.InvariantCulture,
            $"Epoch {record.Epoch + 1}/{options.Epochs} — {string.Join(", ", record.Metrics.Select(m => $"{m.Key} {m.Value:F4}"))}, lr {record.LearningRate:0.###e+0}, {record.Duration.TotalSeconds:F1} s");

    /// <summary>The epoch's loss: the mean over the rows of the steps whose loss was finite.</summary>
    private sealed class RunningLoss
    {
        private double sum;
        private long rows;

        /// <summary>Adds a batch's loss; false (and nothing added) when it is not finite.</summary>
        public bool Add(double loss, long batchRows)
        {
            if (!double.IsFinite(loss)) return false;
            sum += loss * batchRows;
            rows += batchRows;
            return true;
        }

        /// <summary>NaN when no step had a finite loss.</summary>
        public double Mean => rows == 0 ? double.NaN : sum / rows;
    }
}
