using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training.Metrics;
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
        using var session = FitSession.Start(model, train, validation, options, cancellationToken);
        for (var epoch = session.FirstEpoch; epoch < options.Epochs && !session.StopRequested; epoch++)
            session.TrainEpoch(epoch);
        return session.Finish();
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
        using var plan = TrainingPlan.ForEvaluation(model, data, options);
        return new MetricValues(RunEvaluation(model, data, plan, plan.Metrics, options.BatchSize));
    }

    /// <summary>
    /// Runs the model over every sample of a dataset, in order, in batches, in evaluation mode without gradients; a
    /// dataset over <c>.npy</c> files or lazy windows is read a batch at a time (the next batch's rows asked for ahead).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="data">The samples (their targets are not used); every row is checked first, as <see cref="Evaluate"/> does.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>The outputs of all samples, in row order, on the CPU.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    /// <exception cref="ArgumentException">The data does not fit the model, or a row holds NaN/±Inf, a token outside the vocabulary or a bad length (the message names the row).</exception>
    /// <exception cref="InvalidOperationException">Another thread's <c>Fit</c> is training <paramref name="model"/> (a training callback may predict).</exception>
    public static Tensor Predict(SequenceModel model, SequenceDataset data, int batchSize = SequenceModel.DefaultPredictionBatchSize)
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
    /// <param name="batchSize">Samples per forward pass; positive. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>The outputs of all samples, on the CPU. For arrays in and arrays out, see <see cref="SequenceModel.Predict"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    /// <exception cref="ArgumentException">The inputs do not fit the model, or a row holds NaN/±Inf, a token outside the vocabulary or a bad length (the message names the row in <paramref name="inputs"/>).</exception>
    /// <exception cref="InvalidOperationException">Another thread's <c>Fit</c> is training <paramref name="model"/> (a training callback may predict).</exception>
    public static Tensor Predict(SequenceModel model, Tensor inputs, Tensor? lengths = null, int batchSize = SequenceModel.DefaultPredictionBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.PredictTensor(inputs, lengths, batchSize, "Trainer.Predict");
    }

    /// <summary>The confusion matrix of a classifier on a dataset.</summary>
    /// <param name="model">A classification model.</param>
    /// <param name="data">Data with class-index or one-hot targets.</param>
    /// <param name="batchSize">Samples per forward pass. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>Counts[actual, predicted], with per-class accuracy and macro scores.</returns>
    public static ConfusionMatrix ConfusionMatrix(SequenceModel model, SequenceDataset data, int batchSize = SequenceModel.DefaultPredictionBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        InputContract.CheckRows(model, data.Inputs, data.Lengths, InputRole.Data);
        var matrix = new ConfusionMatrix();
        matrix.Reset(new MetricSetup(TrainingPlan.OutputActivation(model), model.OutputShape.Features));
        ForEachEvaluationBatch(model, data, batchSize, (output, _, batch, mask) => matrix.Update(output, batch.Targets, mask));
        return matrix;
    }

    /// <summary>Predicted and true class of every item of a dataset (padded steps left out), in row order, on the CPU.</summary>
    internal static (long[] Predicted, long[] Actual) Classes(SequenceModel model, SequenceDataset data, MetricSetup setup, int batchSize = SequenceModel.DefaultPredictionBatchSize)
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

    /// <summary>The loss (as training computes it) and the metrics over a whole dataset, in evaluation mode without gradients.</summary>
    internal static Dictionary<string, double> RunEvaluation(SequenceModel model, SequenceDataset data, TrainingPlan run, IReadOnlyList<IMetric> metrics, int batchSize)
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
                visit(output, logits, batch, TrainingStep.StepMask(output, batch.Lengths));
            }
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
