namespace SequenceKit.Diagnostics;

/// <summary>
/// Each finding code's title and its general fix, written once. Checks whose fix names the run's own numbers (a rate,
/// a batch size, class weights) build that text themselves; every fixed text lives here. docs/diagnostics.md has a
/// section per code.
/// </summary>
internal static class Catalog
{
    /// <summary>A code's title and general fix.</summary>
    /// <param name="Title">The title ("Inputs are not scaled").</param>
    /// <param name="Fix">The general fix in SequenceKit terms.</param>
    public sealed record Entry(string Title, string Fix);

    private static readonly Dictionary<string, Entry> Entries = new()
    {
        ["SK001"] = new("No better than predicting the majority class", "This is a symptom: the other findings name its cause. If there is none, check that the labels belong to their inputs."),
        ["SK002"] = new("Imbalanced classes", "Pass balanced class weights (Labels.BalancedClassWeights) and judge the model by MacroF1 or MacroRecall, not accuracy."),
        ["SK003"] = new("Inputs are not scaled", "Fit a StandardScaler on the training inputs only and transform every set with it (scale once: data already in [0, 1] needs no second division): var scaler = new StandardScaler(); var trainX = scaler.FitTransform(trainInputs); var validX = scaler.Transform(validInputs); keep it with the model (model.Scalers[\"inputs\"] = scaler)."),
        ["SK004"] = new("Gradients vanish through time", "Replace SimpleRnn with Gru or Lstm (same units), which carry information through time; or shorten the sequences."),
        ["SK005"] = new("Non-finite loss", "Clip gradients (TrainerOptions.ClipGradientNorm = 1.0), lower the learning rate by 10×, scale inputs and targets, and add TerminateOnNaN to keep the last good weights."),
        ["SK006"] = new("Learning rate out of range", "Set the learning rate near its optimizer's usual one; LearningRateFinder.Run suggests one from a range test."),
        ["SK007"] = new("Output range cannot reach the targets", "Remove the output activation for regression (Dense(units) without activation), or scale the targets into the output's range (MinMaxScaler) and invert predictions."),
        ["SK008"] = new("Overfitting", "Add EarlyStopping(new() { Monitor = \"val_loss\", RestoreBestWeights = true }), Dropout layers or RecurrentOptions.Dropout, or more training data."),
        ["SK009"] = new("Dead or saturated units", "Re-initialize and lower the learning rate, scale the inputs, or use tanh (SimpleRnnOptions.Activation = Tanh) / an Lstm or Gru."),
        ["SK010"] = new("Many out-of-vocabulary tokens", "Build the Vocabulary on the training texts with a larger MaxSize or a lower MinFrequency, and check its UnknownRate on the validation texts."),
        ["SK011"] = new("Nothing tried made a copy learn", "Check the data pipeline: inputs that are constant or all padding, labels misaligned with inputs (apply the same row indices: DataSplit.Take), targets in the wrong form, or a custom layer that detaches its output."),
        ["SK012"] = new("Regression targets are not scaled", "Fit a StandardScaler on the training targets, train on scaled targets, and InverseTransform the predictions; keep it with the model (model.Scalers[\"targets\"] = scaler)."),
        ["SK013"] = new("Labels do not follow from the inputs", "Check that inputs and labels are split and shuffled with the same row indices (DataSplit.Take on both), that no row was dropped from one and not the other, and that the label column is the one meant."),
        ["SK014"] = new("Training batches are ordered", "Shuffle the training batches (TrainerOptions.Shuffle = true, the default), or shuffle the rows once before building the dataset."),
        ["SK015"] = new("Too little capacity", "Give the recurrent layers more units, or stack a second layer (RecurrentOptions.Layers = 2)."),
        ["SK016"] = new("Too much regularization or constraint", "Lower the weight decay, dropout or gradient clipping that holds the model back, or remove it until the model fits the training data."),
        ["SK017"] = new("Inputs carry no information", "Check the data pipeline where the inputs are built (a column read as empty, a mask or scaling that zeroes everything, the wrong array passed to SequenceDataset.FromArrays)."),
        ["SK018"] = new("Training and validation inputs are distributed differently", "Fit one scaler on the training inputs and apply that same fitted scaler to every set (scaler.Transform(validInputs)); never fit a second scaler on the validation set, and build every set through the same pipeline."),
        ["SK019"] = new("Too few optimizer updates", "Use a smaller batch (TrainerOptions.BatchSize = 32) or more epochs, so that the optimizer takes hundreds of steps."),
        ["SK021"] = new("Plain SGD learns too slowly", "Use Adam at its usual rate: TrainerOptions.Optimizer = new Adam { LearningRate = 1e-3 }; Adam adapts each weight's step, so a task whose gradients are small or uneven learns without a tuned rate."),
        ["SK022"] = new("Still learning when training ended", "Train for more epochs (TrainerOptions.Epochs), with EarlyStopping(new() { Monitor = \"val_loss\", RestoreBestWeights = true }) to stop when it no longer improves."),
        ["SK020"] = new("The model reads token padding as data", "Pad at the end and pass the lengths (PadSequences returns them: SequenceDataset.FromArrays(tokens, labels, lengths)), so the recurrent layers stop at each sequence's last real token."),
    };

    /// <summary>Every code in the catalog.</summary>
    public static IReadOnlyCollection<string> Codes => Entries.Keys;

    /// <summary>The title of a code.</summary>
    public static string Title(string code) => Entries[code].Title;

    /// <summary>The general fix of a code.</summary>
    public static string Fix(string code) => Entries[code].Fix;

    /// <summary>The title of a confirmed change: its code's, with the direction of a rate change.</summary>
    public static string TitleOf(Treatment t) => t.Title ?? t.Code switch
    {
        "SK006" => t.RateFactor < 1 ? "Learning rate too high" : "Learning rate too low",
        "" => t.Name,
        _ => Entries.TryGetValue(t.Code, out var entry) ? entry.Title : t.Name,
    };
}
