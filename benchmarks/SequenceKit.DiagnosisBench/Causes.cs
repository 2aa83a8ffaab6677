namespace SequenceKit.DiagnosisBench;

/// <summary>
/// One way a training setup can be broken, and the finding code the doctor is expected to rank first for it.
/// This table is the contract between the benchmark and the doctor: change a code here only together with the doctor.
/// </summary>
/// <param name="Name">A short, stable name, e.g. "lr-too-high"; used in case names and by <c>--cause</c>.</param>
/// <param name="ExpectedCode">The code expected as the top finding, or null for a healthy setup (no Warning or Critical expected).</param>
/// <param name="Description">What the generator does to break the run.</param>
public sealed record Cause(string Name, string? ExpectedCode, string Description)
{
    /// <summary>Whether the cause is the healthy control (no finding of Warning or Critical severity expected).</summary>
    public bool IsHealthy => ExpectedCode is null;
}

/// <summary>The benchmark's causes, in report order.</summary>
public static class Causes
{
    public static readonly Cause UnscaledInputs = new("unscaled-inputs", "SK003", "features ×300–3000 plus an offset of 5e4–2e5");
    public static readonly Cause InputsScaledTwice = new("inputs-scaled-twice", "SK003", "inputs already in [0, 1] divided by 255 again (values ~1e-3)");
    public static readonly Cause UnscaledTargets = new("unscaled-targets", "SK012", "regression targets ×1000 or offset by 1e4");
    public static readonly Cause SimpleRnnLongRange = new("simple-rnn-long-range", "SK004", "SimpleRnn over 80–150 steps; the label is decided by the first steps, the rest is noise");
    public static readonly Cause LrTooHigh = new("lr-too-high", "SK006", "Adam 0.3–1.0 or Sgd 3–10 (the loss stays finite)");
    public static readonly Cause LrTooLow = new("lr-too-low", "SK006", "Adam with a learning rate of 1e-7–1e-6");
    public static readonly Cause TooLittleCapacity = new("too-little-capacity", "SK015", "1–2 recurrent units for 6–10 classes");
    public static readonly Cause OverRegularized = new("over-regularized", "SK016", "AdamW weight decay 3–5 (lr 5e-3–1e-2), or dropout 0.9 between 2 recurrent layers and on their output");
    public static readonly Cause ClipTooTight = new("clip-too-tight", "SK016", "Sgd with ClipGradientNorm 1e-4–1e-3");
    public static readonly Cause LabelsShuffled = new("labels-shuffled", "SK013", "labels permuted at random (training and validation)");
    public static readonly Cause LabelsShifted = new("labels-shifted", "SK013", "labels shifted one row against their inputs (training and validation)");
    public static readonly Cause OrderedBatches = new("ordered-batches", "SK014", "training rows sorted by class and TrainerOptions.Shuffle = false");
    public static readonly Cause ClassImbalance = new("class-imbalance", "SK002", "binary task at 95/5 or 97/3, no class weights");
    public static readonly Cause Exploding = new("exploding", "SK005", "ReLU SimpleRnn over 60–120 steps with recurrent weights ×5, or Sgd at 50–500 on MSE: the loss becomes NaN/inf");
    public static readonly Cause OutputCannotReachTargets = new("output-cannot-reach-targets", "SK007", "sigmoid Dense output, regression targets up to 20–100");
    public static readonly Cause VocabularyTooSmall = new("vocabulary-too-small", "SK010", "Vocabulary MaxSize so small that more than 30% of tokens are unknown");
    public static readonly Cause ZeroedInputs = new("zeroed-inputs", "SK017", "every input feature all zero or one constant (data lost in the pipeline)");
    public static readonly Cause ValidationPreprocessedDifferently = new("validation-preprocessed-differently", "SK018", "validation inputs only: divided by 255 again, or in other units (×20–100 plus an offset)");
    public static readonly Cause TooFewUpdates = new("too-few-updates", "SK019", "all training rows in one batch for 4–10 epochs: at most 10 optimizer updates");
    public static readonly Cause PaddingReadAsData = new("padding-read-as-data", "SK020", "tokens padded at the end to 60–100 steps with Embedding MaskZero off and no lengths, or padded at the front with lengths passed");
    public static readonly Cause Healthy = new("healthy", null, "a careful user's setup: scaled data, a suitable cell and optimizer");

    /// <summary>Every cause, healthy last.</summary>
    public static IReadOnlyList<Cause> All { get; } =
    [
        UnscaledInputs, InputsScaledTwice, UnscaledTargets, SimpleRnnLongRange, LrTooHigh, LrTooLow, TooLittleCapacity,
        OverRegularized, ClipTooTight, LabelsShuffled, LabelsShifted, OrderedBatches, ClassImbalance, Exploding,
        OutputCannotReachTargets, VocabularyTooSmall, ZeroedInputs, ValidationPreprocessedDifferently, TooFewUpdates, PaddingReadAsData, Healthy,
    ];
}
