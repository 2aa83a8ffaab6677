namespace SequenceKit.Training.Optimizers;

/// <summary>
/// What SequenceKit knows about a built-in optimizer's family, written once on each optimizer instead of in switches
/// over their types: its usual learning rate and its weight decay. The training doctor reads it; a
/// <see cref="CustomOptimizer"/> does not implement it (its family is unknown).
/// </summary>
internal interface IOptimizerFamily
{
    /// <summary>The rate the family's users start from: 1e-3 for Adam, AdamW and RMSprop, 0.05 for SGD, 0.01 for Adagrad (their PyTorch and Keras defaults; SGD's tutorials).</summary>
    double UsualRate { get; }

    /// <summary>The weight decay (L2 or decoupled), ≥ 0.</summary>
    double WeightDecay { get; }

    /// <summary>The same optimizer without weight decay.</summary>
    IOptimizerFactory WithoutWeightDecay();
}
