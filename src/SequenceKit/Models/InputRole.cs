namespace SequenceKit.Models;

/// <summary>
/// The role of the inputs being checked against a model. It supplies both the wording of an error ("Row 30 of the
/// validation set …") and the <see cref="ArgumentException.ParamName"/> of the argument the data came in.
/// </summary>
internal enum InputRole
{
    /// <summary><c>Trainer.Fit</c>'s training set (argument <c>train</c>).</summary>
    Training,

    /// <summary><c>Trainer.Fit</c>'s validation set (argument <c>validation</c>).</summary>
    Validation,

    /// <summary>A data set evaluated or predicted on (<c>Trainer.Evaluate</c>, <c>Trainer.Predict</c>, <c>ConfusionMatrix</c>; argument <c>data</c>).</summary>
    Data,

    /// <summary>Arrays or tensors given to <c>SequenceModel.Predict</c> (argument <c>inputs</c>).</summary>
    Inputs,

    /// <summary>One batch given to <c>SequenceModel.forward</c> (argument <c>input</c>).</summary>
    Batch,
}

/// <summary>The wording and argument name of each <see cref="InputRole"/>, written once.</summary>
internal static class InputRoles
{
    /// <summary>How messages name the data: "training set", "validation set", "data set", "inputs", "input".</summary>
    public static string Noun(this InputRole role) => role switch
    {
        InputRole.Training => "training set",
        InputRole.Validation => "validation set",
        InputRole.Data => "data set",
        InputRole.Inputs => "inputs",
        _ => "input",
    };

    /// <summary>The argument the data came in: "train", "validation", "data", "inputs", "input".</summary>
    public static string ParamName(this InputRole role) => role switch
    {
        InputRole.Training => "train",
        InputRole.Validation => "validation",
        InputRole.Data => "data",
        InputRole.Inputs => "inputs",
        _ => "input",
    };

    /// <summary>"Row 30 of the training set" for a data set; "input" for a batch (whose rows are not the user's).</summary>
    public static string Row(this InputRole role, long row) =>
        role == InputRole.Batch ? FormattableString.Invariant($"Row {row} of the input") : FormattableString.Invariant($"Row {row} of the {role.Noun()}");
}
