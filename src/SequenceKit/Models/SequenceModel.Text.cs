using Microsoft.Extensions.Logging;
using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using static TorchSharp.torch;

namespace SequenceKit.Models;

// The text pipeline: a model that carries its vocabulary (with tokenizer settings) and class names in its file,
// and classifies raw strings after loading.
public sealed partial class SequenceModel
{
    /// <summary>
    /// Samples per forward pass of every prediction and evaluation method (<c>Predict</c>, <c>PredictClasses</c>,
    /// <c>Trainer.Predict</c>, <c>Trainer.ConfusionMatrix</c>, …) unless told otherwise: 256, written once here.
    /// </summary>
    public const int DefaultPredictionBatchSize = 256;

    /// <summary>Texts per forward pass of <see cref="PredictLabels"/>, <see cref="PredictClasses(IEnumerable{string}, int)"/> and <see cref="PredictProbabilities"/> unless told otherwise: <see cref="DefaultPredictionBatchSize"/>.</summary>
    public const int DefaultTextBatchSize = DefaultPredictionBatchSize;

    private Vocabulary? vocabulary;
    private string[]? classNames;

    /// <summary>
    /// The vocabulary (with its <see cref="Preprocessing.Vocabulary.Tokenizer"/> settings) that turns raw text into
    /// this model's token input; saved and loaded with the model, so the raw-text predictions tokenize, encode and pad
    /// exactly as training did. Null (the default) for none.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// On set: the model does not start with an <see cref="Embedding"/>, or the vocabulary has more entries than the
    /// Embedding's vocabulary size (its indices would be out of range).
    /// </exception>
    public Vocabulary? Vocabulary
    {
        get => vocabulary;
        set
        {
            if (value is not null) CheckFits(value);
            vocabulary = value;
        }
    }

    /// <summary>
    /// The name of each class, in class-index order (e.g. <c>labelEncoder.Classes</c>): one per output unit, or two
    /// (negative class first) for a single sigmoid or logit unit. Saved and loaded with the model; used by
    /// <see cref="PredictLabels"/>. The list is copied on set. Null (the default) for none.
    /// </summary>
    /// <exception cref="ArgumentException">On set: a name is null or repeated, or the count does not match the model's output.</exception>
    public IReadOnlyList<string>? ClassNames
    {
        get => classNames?.AsReadOnly();
        set => classNames = value is null ? null : CheckClassNames(value);
    }

    /// <summary>
    /// Classifies raw texts and returns class names: each text is tokenized and encoded with <see cref="Vocabulary"/>,
    /// padded as <see cref="Preprocessing.Vocabulary.EncodeTexts"/> does, and run in evaluation mode without gradients,
    /// one dispose scope per batch.
    /// </summary>
    /// <param name="texts">Raw texts; at least one.</param>
    /// <param name="batchSize">Texts per forward pass; positive. Default <see cref="DefaultTextBatchSize"/>.</param>
    /// <returns>One class name per text, from <see cref="ClassNames"/>.</returns>
    /// <exception cref="InvalidOperationException">
    /// The model has no <see cref="Vocabulary"/>, its vocabulary has no tokenizer settings, it has no
    /// <see cref="ClassNames"/>, or it does not end in a classifying <see cref="Dense"/> (see <see cref="PredictProbabilities"/>).
    /// </exception>
    /// <exception cref="ArgumentException">No texts, or a null text.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public string[] PredictLabels(IEnumerable<string> texts, int batchSize = DefaultTextBatchSize)
    {
        var names = classNames ?? throw new InvalidOperationException(
            "This model has no ClassNames, so it cannot name its predictions. Set model.ClassNames = labelEncoder.Classes " +
            "(one name per class, in class-index order) before saving it, or call PredictClasses for class indices.");
        return PredictClasses(texts, batchSize).Select(index => names[index]).ToArray();
    }

    /// <summary>
    /// Classifies raw texts and returns class indices, by the rule the trainer's metrics use: the largest output for
    /// several units; for one unit, class 1 when the sigmoid output is above 0.5 (or the logit above 0).
    /// </summary>
    /// <param name="texts">Raw texts; at least one.</param>
    /// <param name="batchSize">Texts per forward pass; positive. Default <see cref="DefaultTextBatchSize"/>.</param>
    /// <returns>One class index per text.</returns>
    /// <exception cref="InvalidOperationException">The model has no <see cref="Vocabulary"/> (or it has no tokenizer settings), or it does not end in a classifying <see cref="Dense"/>.</exception>
    /// <exception cref="ArgumentException">No texts, or a null text.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public int[] PredictClasses(IEnumerable<string> texts, int batchSize = DefaultTextBatchSize)
    {
        ClassifierHead();
        using var scope = NewDisposeScope();
        return ClassesOf(PredictTexts(texts, batchSize));                   // (N, units), CPU → (N)
    }

    /// <summary>
    /// Class probabilities of raw texts, one row per text and one column per class (in <see cref="ClassNames"/> order).
    /// A final <see cref="Dense"/> with k ≥ 2 units must have <see cref="Activation.Softmax"/> (taken as is) or no
    /// activation (logits, turned into probabilities by softmax); a single unit must have
    /// <see cref="Activation.Sigmoid"/> or no activation (a logit), and gives two columns, 1 − p and p.
    /// </summary>
    /// <param name="texts">Raw texts; at least one.</param>
    /// <param name="batchSize">Texts per forward pass; positive. Default <see cref="DefaultTextBatchSize"/>.</param>
    /// <returns>(texts, classes) probabilities; each row sums to 1.</returns>
    /// <exception cref="InvalidOperationException">The model has no <see cref="Vocabulary"/> (or it has no tokenizer settings), or it does not end in a classifying <see cref="Dense"/> as described.</exception>
    /// <exception cref="ArgumentException">No texts, or a null text.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    public float[,] PredictProbabilities(IEnumerable<string> texts, int batchSize = DefaultTextBatchSize)
    {
        var head = ClassifierHead();
        using var scope = NewDisposeScope();
        var output = PredictTexts(texts, batchSize);                         // (N, units), CPU
        Tensor probabilities;                                                // (N, classes)
        if (head.Units == 1)
        {
            var positive = head.Activation == Activation.Sigmoid ? output : output.sigmoid();   // (N, 1)
            probabilities = cat([1 - positive, positive], 1);               // (N, 2)
        }
        else
        {
            probabilities = head.Activation == Activation.Softmax ? output : output.softmax(1);  // logits → (N, k)
        }
        return ToArray<float[,]>(probabilities);
    }

    /// <summary>The final Dense, checked to be a classifier head the raw-text predictions can read.</summary>
    private Dense ClassifierHead()
    {
        var supported = layers[^1] is Dense dense && OutputShape.Kind == ShapeKind.Vector
            && (dense.Units == 1 ? dense.Activation is Activation.Sigmoid or Activation.None : dense.Activation is Activation.Softmax or Activation.None);
        if (!supported)
            throw new InvalidOperationException(
                $"Text predictions need a model that returns one vector per text from a final Dense: k ≥ 2 units with Softmax or no activation, " +
                $"or 1 unit with Sigmoid or no activation. This model ends in {layers[^1].TypeName}" +
                (layers[^1] is Dense d ? $"({d.Units}, {d.Activation})" : "") + $" with output {OutputShape}" +
                (OutputShape.Kind == ShapeKind.Sequence ? "; a recurrent layer before it returns sequences (set ReturnSequences = false)." : "."));
        return (Dense)layers[^1];
    }

    /// <summary>Encodes the texts with the vocabulary and runs the model over them in batches; (texts, units) on the CPU.</summary>
    private Tensor PredictTexts(IEnumerable<string> texts, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        var words = vocabulary ?? throw new InvalidOperationException(
            "This model has no Vocabulary, so it cannot turn raw text into tokens. Before saving it, set " +
            "model.Vocabulary = Vocabulary.FromTexts(trainingTexts, tokenizerOptions) (the vocabulary the training tokens were encoded with).");
        var encoded = words.EncodeTexts(texts);
        var logger = SequenceKitLogging.Resolve(Options.Logger, "SequenceKit.Models.SequenceModel");
        foreach (var warning in encoded.Warnings) logger.LogWarning("{Warning}", warning);
        var tokens = encoded.ValuesTensor();                                 // (N, T) int64
        var lengths = encoded.LengthsTensor();                               // (N)
        return PredictTensor(tokens, lengths, batchSize);                    // (N, units), through the LSTM inference guard
    }

    private void CheckFits(Vocabulary value)
    {
        if (InputShape.Kind != ShapeKind.Tokens)
            throw new ArgumentException(
                $"A vocabulary needs a model whose first layer is an Embedding; this model takes {InputShape}.", nameof(Vocabulary));
        if (value.Count > InputShape.Features)
            throw new ArgumentException(
                $"The vocabulary has {value.Count} entries (indices 0..{value.Count - 1}), but the model's Embedding has vocabulary size " +
                $"{InputShape.Features}, so some indices would be out of range. Build the Embedding with new Embedding(vocabulary.Count, …).",
                nameof(Vocabulary));
    }

    private string[] CheckClassNames(IReadOnlyList<string> value)
    {
        var units = OutputShape.Features;
        var expected = units == 1 ? 2 : units;
        if (value.Count != expected)
            throw new ArgumentException(
                $"ClassNames has {value.Count} name(s), but the model's output has {units} unit(s), so it predicts {expected} classes; " +
                "give one name per output unit, in class-index order (two names, negative class first, for a single unit).", nameof(ClassNames));
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < value.Count; i++)
        {
            if (value[i] is null) throw new ArgumentException($"ClassNames[{i}] is null.", nameof(ClassNames));
            if (!seen.TryAdd(value[i], i))
                throw new ArgumentException($"ClassNames[{i}] = '{value[i]}' repeats ClassNames[{seen[value[i]]}]; each class needs its own name.", nameof(ClassNames));
        }
        return [.. value];
    }
}
