namespace SequenceKit.Preprocessing;

/// <summary>Row indices of a train/validation split; use the same indices for inputs, labels and lengths.</summary>
/// <param name="Train">Rows for training, ascending.</param>
/// <param name="Validation">Rows for validation, ascending.</param>
public sealed record SplitIndices(int[] Train, int[] Validation);
