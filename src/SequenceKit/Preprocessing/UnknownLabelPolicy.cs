namespace SequenceKit.Preprocessing;

/// <summary>What a <see cref="LabelEncoder{TLabel}"/> does with a label it was not fitted on.</summary>
public enum UnknownLabelPolicy
{
    /// <summary>Throw an <see cref="ArgumentException"/> naming the label (scikit-learn's behaviour).</summary>
    Throw,

    /// <summary>Map it to an extra "unknown" class, index <c>Classes.Count</c>.</summary>
    MapToUnknown,
}
