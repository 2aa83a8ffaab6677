namespace SequenceKit.Layers;

/// <summary>
/// The result of <see cref="LstmInferenceGuard"/>'s self-test: the same LSTMs run with gradients off (libtorch's
/// inference kernel) and on (its training kernel), compared.
/// </summary>
/// <param name="Disagrees">True when some hidden size gave different outputs beyond <see cref="LstmInferenceGuard.Tolerance"/>.</param>
/// <param name="LargestDifference">The largest absolute difference seen over every shape tried.</param>
/// <param name="FailingHiddenSizes">The hidden sizes whose outputs differed.</param>
/// <param name="TestedHiddenSizes">The hidden sizes tried.</param>
public sealed record LstmKernelCheck(bool Disagrees, double LargestDifference, IReadOnlyList<long> FailingHiddenSizes, IReadOnlyList<long> TestedHiddenSizes);
