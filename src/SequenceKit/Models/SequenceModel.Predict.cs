using SequenceKit.Layers;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Models;

public sealed partial class SequenceModel
{
    /// <summary>The name under which a model carries the scaler of its targets (see <see cref="Scalers"/>).</summary>
    public const string TargetScalerName = "targets";

    /// <summary>
    /// Runs the model on arrays and returns an array: one row per sample (Keras' <c>model.predict</c>). In evaluation
    /// mode, without gradients, in batches, each in its own dispose scope. For a softmax output the rows are class
    /// probabilities; for regression they are in the units the model was trained on (see <see cref="PredictInOriginalUnits"/>).
    /// </summary>
    /// <param name="inputs">
    /// (samples, time, features) sequences (<c>float[,,]</c>, <c>double[,,]</c>), (samples, time) tokens
    /// (<c>int[,]</c>, <c>long[,]</c>), (samples, features) vectors, or a tensor: see <see cref="NumericArray"/>.
    /// </param>
    /// <param name="lengths">One length per sample (<c>int[]</c>, <c>long[]</c>) for padded sequences, or null.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>(samples, outputs).</returns>
    /// <exception cref="ArgumentException">The inputs or lengths do not fit the model (the message says how).</exception>
    /// <exception cref="InvalidOperationException">The model returns a sequence per sample: use <see cref="PredictSequences"/>. Or another thread's <c>Trainer.Fit</c> is training the model (a training callback may predict).</exception>
    public float[,] Predict(NumericArray inputs, NumericArray? lengths = null, int batchSize = DefaultPredictionBatchSize)
    {
        if (OutputShape.HasTimeAxis)
            throw new InvalidOperationException(
                $"This model returns a sequence per sample, {OutputShape}; use PredictSequences, which returns (samples, time, features).");
        using var scope = NewDisposeScope();
        return ToArray<float[,]>(PredictArrays(inputs, lengths, batchSize));
    }

    /// <summary>
    /// <see cref="Predict"/> for a model that returns a sequence per sample (a recurrent layer with
    /// <c>ReturnSequences</c>, then a Dense): (samples, time, outputs).
    /// </summary>
    /// <param name="inputs">As for <see cref="Predict"/>.</param>
    /// <param name="lengths">As for <see cref="Predict"/>.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>(samples, time, outputs).</returns>
    /// <exception cref="ArgumentException">The inputs or lengths do not fit the model.</exception>
    /// <exception cref="InvalidOperationException">The model returns one vector per sample: use <see cref="Predict"/>. Or another thread's <c>Trainer.Fit</c> is training the model.</exception>
    public float[,,] PredictSequences(NumericArray inputs, NumericArray? lengths = null, int batchSize = DefaultPredictionBatchSize)
    {
        if (!OutputShape.HasTimeAxis)
            throw new InvalidOperationException($"This model returns one vector per sample, {OutputShape}; use Predict, which returns (samples, outputs).");
        using var scope = NewDisposeScope();
        return ToArray<float[,,]>(PredictArrays(inputs, lengths, batchSize, nameof(PredictSequences)));
    }

    /// <summary>
    /// The predicted class of each sample, by the rule the trainer's <c>Accuracy</c> uses: the largest output for
    /// several units (softmax or logits), or output &gt; 0.5 for one sigmoid unit (&gt; 0 for one unit without an
    /// activation, a logit).
    /// </summary>
    /// <param name="inputs">As for <see cref="Predict"/>.</param>
    /// <param name="lengths">As for <see cref="Predict"/>.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>One class index per sample.</returns>
    /// <exception cref="ArgumentException">The inputs or lengths do not fit the model.</exception>
    /// <exception cref="InvalidOperationException">The model returns a sequence per sample, or another thread's <c>Trainer.Fit</c> is training the model (a training callback may predict).</exception>
    public int[] PredictClasses(NumericArray inputs, NumericArray? lengths = null, int batchSize = DefaultPredictionBatchSize)
    {
        if (OutputShape.HasTimeAxis)
            throw new InvalidOperationException(
                $"This model returns a sequence per sample, {OutputShape}; PredictClasses needs one vector per sample. Use PredictSequences.");
        using var scope = NewDisposeScope();
        return ClassesOf(PredictArrays(inputs, lengths, batchSize, nameof(PredictClasses)));
    }

    /// <summary>Class indices of (samples, units) outputs: arg max, or one unit above 0.5 (sigmoid) or 0 (logit).</summary>
    private int[] ClassesOf(Tensor outputs)
    {
        var classes = outputs.shape[1] > 1 ? outputs.argmax(1)
            : outputs.squeeze(1).gt(layers[^1] is Dense { Activation: Activation.Sigmoid } ? 0.5 : 0.0);
        return classes.to(ScalarType.Int32).data<int>().ToArray();
    }

    /// <summary>
    /// <see cref="Predict"/> mapped back to the targets' original units with the scaler the model carries under
    /// <see cref="TargetScalerName"/> (<c>model.Scalers["targets"]</c>, fitted on the training targets).
    /// </summary>
    /// <param name="inputs">As for <see cref="Predict"/>.</param>
    /// <param name="lengths">As for <see cref="Predict"/>.</param>
    /// <param name="batchSize">Samples per forward pass; positive. Default <see cref="SequenceModel.DefaultPredictionBatchSize"/> (256).</param>
    /// <returns>(samples, outputs) in original units.</returns>
    /// <exception cref="InvalidOperationException">The model carries no fitted target scaler, or its feature count differs from the outputs.</exception>
    public float[,] PredictInOriginalUnits(NumericArray inputs, NumericArray? lengths = null, int batchSize = DefaultPredictionBatchSize)
    {
        var targets = TargetScaler ?? throw new InvalidOperationException(
            $"PredictInOriginalUnits needs the target scaler in model.Scalers[\"{TargetScalerName}\"], fitted on the training targets with " +
            $"{OutputShape.Features} feature(s); this model carries [{string.Join(", ", Scalers.Keys)}].");
        return targets.InverseTransform(Predict(inputs, lengths, batchSize));
    }

    /// <summary>The fitted scaler under <see cref="TargetScalerName"/> when its features match the outputs; else null.</summary>
    internal Preprocessing.IScaler? TargetScaler =>
        Scalers.TryGetValue(TargetScalerName, out var scaler) && scaler.IsFitted && scaler.FeatureCount == OutputShape.Features ? scaler : null;

    /// <summary>
    /// Runs the model over tensors in batches, in evaluation mode without gradients, each batch in its own dispose scope;
    /// the outputs of all samples, on the CPU.
    /// </summary>
    internal Tensor PredictTensor(Tensor inputs, Tensor? lengths, int batchSize, string operation = "Predict")
    {
        ArgumentNullException.ThrowIfNull(inputs);
        EnsureNotTrainedElsewhere(operation);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        if (inputs.Dimensions == 0)
            throw new ArgumentException($"inputs must have a sample dimension; got a scalar tensor.", nameof(inputs));
        InputContract.CheckTensor(this, inputs, InputRole.Inputs);
        InputContract.CheckRows(this, inputs, lengths, InputRole.Inputs);     // a bad value is named by its row in inputs, not in a batch
        var wasTraining = training;
        eval();
        try
        {
            using var _ = no_grad();
            var parts = new List<Tensor>();
            try
            {
                for (long start = 0; start < inputs.shape[0]; start += batchSize)
                {
                    using var scope = NewDisposeScope();
                    var end = Math.Min(start + batchSize, inputs.shape[0]);
                    var output = forward(inputs.narrow(0, start, end - start), lengths?.narrow(0, start, end - start));
                    parts.Add(output.cpu().MoveToOuterDisposeScope());
                }
                return cat(parts, 0);
            }
            finally
            {
                foreach (var part in parts) part.Dispose();
            }
        }
        finally
        {
            train(wasTraining);
        }
    }

    private Tensor PredictArrays(NumericArray inputs, NumericArray? lengths, int batchSize, string operation = nameof(Predict))
    {
        EnsureNotTrainedElsewhere(operation);                       // before the inputs are converted
        inputs.Require(nameof(inputs));
        NumericArray.CheckLengths(lengths, nameof(lengths));
        // Tokens keep their integer type (forward rejects fractional "tokens"); features become float32.
        var x = inputs.ToTensor(nameof(inputs), InputShape.Kind == ShapeKind.Tokens ? null : ScalarType.Float32);
        var l = lengths is { Source: not null } some ? some.ToTensor(nameof(lengths), ScalarType.Int64) : null;
        return PredictTensor(x, l, batchSize, operation);
    }

    private static TArray ToArray<TArray>(Tensor output) where TArray : class
    {
        var values = output.to(ScalarType.Float32).contiguous();
        var shape = values.shape.Select(d => (int)d).ToArray();
        var array = Array.CreateInstance(typeof(float), shape);
        values.data<float>().ToArray().AsSpan().CopyTo(NumericArray.Elements<float>(array));
        return (TArray)(object)array;
    }
}
