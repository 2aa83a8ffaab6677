using TorchSharp;
using TorchSharp.Modules;

namespace SequenceKit.Training.Optimizers;

/// <summary>Adam (Kingma and Ba). Defaults as PyTorch and Keras.</summary>
public sealed record Adam : IOptimizerFactory
{
    /// <summary>Step size. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Decay of the first-moment estimate. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Decay of the second-moment estimate. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the denominator for stability. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>L2 penalty added to the gradient (not decoupled; see <see cref="AdamW"/>). Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        torch.optim.Adam(parameters, OptimizerChecks.Rate(LearningRate), Beta1, Beta2, Epsilon, OptimizerChecks.Decay(WeightDecay));
}

/// <summary>
/// AdamW: Adam with decoupled weight decay (Loshchilov and Hutter). Its default weight decay is PyTorch's 0.01;
/// TorchSharp's own <c>optim.AdamW</c> defaults to 0, so code ported from PyTorch would silently lose the decay.
/// </summary>
public sealed record AdamW : IOptimizerFactory
{
    /// <summary>Step size. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Decay of the first-moment estimate. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Decay of the second-moment estimate. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the denominator for stability. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Decoupled weight decay. Default 0.01 (PyTorch's, not TorchSharp's 0).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <inheritdoc />
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        torch.optim.AdamW(parameters, OptimizerChecks.Rate(LearningRate), Beta1, Beta2, Epsilon, OptimizerChecks.Decay(WeightDecay));
}

/// <summary>Stochastic gradient descent, with optional (Nesterov) momentum.</summary>
public sealed record Sgd : IOptimizerFactory
{
    /// <summary>Step size. Default 0.01 (Keras').</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>Momentum factor in [0, 1). Default 0.</summary>
    public double Momentum { get; init; }
    /// <summary>Use Nesterov momentum (needs Momentum &gt; 0). Default false.</summary>
    public bool Nesterov { get; init; }
    /// <summary>L2 penalty. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    public OptimizerHelper Create(IEnumerable<Parameter> parameters)
    {
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, $"Sgd.Momentum must be in [0, 1); got {Momentum}.");
        if (Nesterov && Momentum == 0) throw new ArgumentException("Sgd.Nesterov needs Momentum > 0.", nameof(Nesterov));
        return torch.optim.SGD(parameters, OptimizerChecks.Rate(LearningRate), Momentum, 0, OptimizerChecks.Decay(WeightDecay), Nesterov);
    }
}

/// <summary>
/// RMSprop (Hinton) with PyTorch's update formula, v = αv + (1 − α)g², w −= lr·g / (√v + ε) (ε outside the root), and
/// Keras' defaults (lr 1e-3, α = Keras' rho 0.9, ε 1e-7). PyTorch's own defaults are α 0.99 and ε 1e-8.
/// </summary>
public sealed record RmsProp : IOptimizerFactory
{
    /// <summary>Step size. Default 1e-3 (Keras').</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Smoothing constant of the squared-gradient average. Default 0.9 (Keras'; PyTorch uses 0.99).</summary>
    public double Alpha { get; init; } = 0.9;
    /// <summary>Added to the denominator for stability. Default 1e-7 (Keras').</summary>
    public double Epsilon { get; init; } = 1e-7;
    /// <summary>Momentum factor. Default 0.</summary>
    public double Momentum { get; init; }
    /// <summary>L2 penalty. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        torch.optim.RMSProp(parameters, OptimizerChecks.Rate(LearningRate), Alpha, Epsilon, OptimizerChecks.Decay(WeightDecay), Momentum);
}

/// <summary>Adagrad (Duchi et al.).</summary>
public sealed record Adagrad : IOptimizerFactory
{
    /// <summary>Step size. Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>L2 penalty. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        torch.optim.Adagrad(parameters, OptimizerChecks.Rate(LearningRate), weight_decay: OptimizerChecks.Decay(WeightDecay));
}

/// <summary>Any TorchSharp optimizer: <c>new CustomOptimizer(1e-3, p => torch.optim.NAdam(p, 1e-3))</c>.</summary>
/// <param name="LearningRate">The learning rate the factory uses (schedulers scale from it).</param>
/// <param name="Factory">Creates the optimizer over the parameters.</param>
public sealed record CustomOptimizer(double LearningRate, Func<IEnumerable<Parameter>, OptimizerHelper> Factory) : IOptimizerFactory
{
    /// <inheritdoc />
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) => Factory(parameters);
}

internal static class OptimizerChecks
{
    public static double Rate(double learningRate) => learningRate > 0 && double.IsFinite(learningRate) ? learningRate
        : throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, $"LearningRate must be positive and finite; got {learningRate}.");

    public static double Decay(double weightDecay) => weightDecay >= 0 && double.IsFinite(weightDecay) ? weightDecay
        : throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, $"WeightDecay must be ≥ 0; got {weightDecay}.");
}
