using System.Globalization;
using TorchSharp;
using TorchSharp.Modules;

namespace SequenceKit.Training.Optimizers;

/// <summary>Adam (Kingma and Ba). Defaults as PyTorch and Keras.</summary>
public sealed record Adam : IOptimizerFactory, IOptimizerFamily
{
    double IOptimizerFamily.UsualRate => 1e-3;

    IOptimizerFactory IOptimizerFamily.WithoutWeightDecay() => this with { WeightDecay = 0 };

    /// <summary>Step size. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Decay of the first-moment estimate, in [0, 1) (0 is legal, as in PyTorch). Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Decay of the second-moment estimate, in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the denominator for stability; finite and ≥ 0 (PyTorch's rule). Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>L2 penalty added to the gradient (not decoupled; see <see cref="AdamW"/>); finite and ≥ 0. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range (the message names it, its value and the range).</exception>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters)
    {
        const string owner = nameof(Adam);
        var (rate, beta1, beta2) = (OptimizerChecks.Rate(owner, LearningRate), OptimizerChecks.Beta(owner, nameof(Beta1), Beta1), OptimizerChecks.Beta(owner, nameof(Beta2), Beta2));
        var (epsilon, decay) = (OptimizerChecks.Epsilon(owner, Epsilon), OptimizerChecks.Decay(owner, WeightDecay));
        return torch.optim.Adam(parameters, rate, beta1, beta2, epsilon, decay);
    }
}

/// <summary>
/// AdamW: Adam with decoupled weight decay (Loshchilov and Hutter). Its default weight decay is PyTorch's 0.01;
/// TorchSharp's own <c>optim.AdamW</c> defaults to 0, so code ported from PyTorch would silently lose the decay.
/// </summary>
public sealed record AdamW : IOptimizerFactory, IOptimizerFamily
{
    double IOptimizerFamily.UsualRate => 1e-3;

    IOptimizerFactory IOptimizerFamily.WithoutWeightDecay() => this with { WeightDecay = 0 };

    /// <summary>Step size. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Decay of the first-moment estimate, in [0, 1) (0 is legal, as in PyTorch). Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Decay of the second-moment estimate, in [0, 1). Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the denominator for stability; finite and ≥ 0 (PyTorch's rule). Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Decoupled weight decay; finite and ≥ 0. Default 0.01 (PyTorch's, not TorchSharp's 0).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range (the message names it, its value and the range).</exception>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters)
    {
        const string owner = nameof(AdamW);
        var (rate, beta1, beta2) = (OptimizerChecks.Rate(owner, LearningRate), OptimizerChecks.Beta(owner, nameof(Beta1), Beta1), OptimizerChecks.Beta(owner, nameof(Beta2), Beta2));
        var (epsilon, decay) = (OptimizerChecks.Epsilon(owner, Epsilon), OptimizerChecks.Decay(owner, WeightDecay));
        return torch.optim.AdamW(parameters, rate, beta1, beta2, epsilon, decay);
    }
}

/// <summary>Stochastic gradient descent, with optional (Nesterov) momentum.</summary>
public sealed record Sgd : IOptimizerFactory, IOptimizerFamily
{
    double IOptimizerFamily.UsualRate => 0.05;

    IOptimizerFactory IOptimizerFamily.WithoutWeightDecay() => this with { WeightDecay = 0 };

    /// <summary>Step size. Default 0.01 (Keras').</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>Momentum factor in [0, 1). Default 0.</summary>
    public double Momentum { get; init; }
    /// <summary>Use Nesterov momentum (needs Momentum &gt; 0). Default false.</summary>
    public bool Nesterov { get; init; }
    /// <summary>L2 penalty; finite and ≥ 0. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range (the message names it, its value and the range).</exception>
    /// <exception cref="ArgumentException">Nesterov is set with Momentum 0.</exception>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters)
    {
        const string owner = nameof(Sgd);
        var (rate, momentum, decay) = (OptimizerChecks.Rate(owner, LearningRate), OptimizerChecks.Momentum(owner, Momentum), OptimizerChecks.Decay(owner, WeightDecay));
        if (Nesterov && momentum == 0) throw new ArgumentException("Sgd.Nesterov needs Momentum > 0; got Momentum 0.", nameof(Nesterov));
        return torch.optim.SGD(parameters, rate, momentum, 0, decay, Nesterov);
    }
}

/// <summary>
/// RMSprop (Hinton) with PyTorch's update formula, v = αv + (1 − α)g², w −= lr·g / (√v + ε) (ε outside the root), and
/// Keras' defaults (lr 1e-3, α = Keras' rho 0.9, ε 1e-7). PyTorch's own defaults are α 0.99 and ε 1e-8.
/// </summary>
public sealed record RmsProp : IOptimizerFactory, IOptimizerFamily
{
    double IOptimizerFamily.UsualRate => 1e-3;

    IOptimizerFactory IOptimizerFamily.WithoutWeightDecay() => this with { WeightDecay = 0 };

    /// <summary>Step size. Default 1e-3 (Keras').</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Smoothing constant of the squared-gradient average, in [0, 1]. Default 0.9 (Keras'; PyTorch uses 0.99).</summary>
    public double Alpha { get; init; } = 0.9;
    /// <summary>Added to the denominator for stability; finite and ≥ 0. Default 1e-7 (Keras').</summary>
    public double Epsilon { get; init; } = 1e-7;
    /// <summary>Momentum factor, in [0, 1). Default 0.</summary>
    public double Momentum { get; init; }
    /// <summary>L2 penalty; finite and ≥ 0. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range (the message names it, its value and the range).</exception>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters)
    {
        const string owner = nameof(RmsProp);
        var (rate, alpha, epsilon) = (OptimizerChecks.Rate(owner, LearningRate), OptimizerChecks.Alpha(owner, Alpha), OptimizerChecks.Epsilon(owner, Epsilon));
        var (decay, momentum) = (OptimizerChecks.Decay(owner, WeightDecay), OptimizerChecks.Momentum(owner, Momentum));
        return torch.optim.RMSProp(parameters, rate, alpha, epsilon, decay, momentum);
    }
}

/// <summary>Adagrad (Duchi et al.).</summary>
public sealed record Adagrad : IOptimizerFactory, IOptimizerFamily
{
    double IOptimizerFamily.UsualRate => 0.01;

    IOptimizerFactory IOptimizerFamily.WithoutWeightDecay() => this with { WeightDecay = 0 };

    /// <summary>Step size. Default 0.01.</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>L2 penalty; finite and ≥ 0. Default 0.</summary>
    public double WeightDecay { get; init; }

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">A hyperparameter is out of range (the message names it, its value and the range).</exception>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters) =>
        torch.optim.Adagrad(parameters, OptimizerChecks.Rate(nameof(Adagrad), LearningRate), weight_decay: OptimizerChecks.Decay(nameof(Adagrad), WeightDecay));
}

/// <summary>
/// Any TorchSharp optimizer: <c>new CustomOptimizer(1e-3, p => torch.optim.NAdam(p, 1e-3))</c>. SequenceKit checks the
/// learning rate (positive and finite) and the factory; the optimizer's other hyperparameters are the factory's to
/// check, and a step that leaves a parameter NaN or infinite is rolled back and stops the run
/// (<see cref="StopReason.NonFiniteParameters"/>).
/// </summary>
/// <param name="LearningRate">The learning rate the factory uses (schedulers scale from it); positive and finite.</param>
/// <param name="Factory">Creates the optimizer over the parameters.</param>
public sealed record CustomOptimizer(double LearningRate, Func<IEnumerable<Parameter>, OptimizerHelper> Factory) : IOptimizerFactory
{
    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException">The learning rate is not positive and finite.</exception>
    /// <exception cref="ArgumentNullException">The factory is null, or it returned null.</exception>
    public OptimizerHelper Create(IEnumerable<Parameter> parameters)
    {
        OptimizerChecks.Rate(nameof(CustomOptimizer), LearningRate);
        if (Factory is null) throw new ArgumentNullException(nameof(Factory), "CustomOptimizer.Factory is null; give a function that creates the optimizer.");
        return Factory(parameters) ?? throw new ArgumentNullException(nameof(Factory), "CustomOptimizer.Factory returned null instead of an optimizer.");
    }
}

/// <summary>
/// The one place optimizer hyperparameters are checked, before TorchSharp sees them, with PyTorch's ranges (a value
/// PyTorch accepts is accepted, except where noted on the property). Each message names the optimizer's property, the
/// value seen and the range; the exception's <c>ParamName</c> is the property's name.
/// </summary>
internal static class OptimizerChecks
{
    /// <summary>Learning rate: positive and finite (PyTorch also takes 0, which trains nothing).</summary>
    public static double Rate(string owner, double value) =>
        value > 0 && double.IsFinite(value) ? value : throw OutOfRange(owner, "LearningRate", value, "positive and finite");

    /// <summary>Weight decay: finite and ≥ 0.</summary>
    public static double Decay(string owner, double value) =>
        value >= 0 && double.IsFinite(value) ? value : throw OutOfRange(owner, "WeightDecay", value, "finite and ≥ 0");

    /// <summary>Adam's β1 and β2: in [0, 1) (PyTorch's rule; 0 is legal).</summary>
    public static double Beta(string owner, string name, double value) =>
        value >= 0 && value < 1 ? value : throw OutOfRange(owner, name, value, "in [0, 1)");

    /// <summary>ε: finite and ≥ 0 (PyTorch's rule).</summary>
    public static double Epsilon(string owner, double value) =>
        value >= 0 && double.IsFinite(value) ? value : throw OutOfRange(owner, "Epsilon", value, "finite and ≥ 0");

    /// <summary>Momentum: in [0, 1) (PyTorch takes any value ≥ 0; 1 and above never forget a gradient and diverge).</summary>
    public static double Momentum(string owner, double value) =>
        value >= 0 && value < 1 ? value : throw OutOfRange(owner, "Momentum", value, "in [0, 1)");

    /// <summary>RMSprop's α: in [0, 1] (PyTorch takes any value ≥ 0; above 1 the squared-gradient average turns negative).</summary>
    public static double Alpha(string owner, double value) =>
        value >= 0 && value <= 1 ? value : throw OutOfRange(owner, "Alpha", value, "in [0, 1]");

    private static ArgumentOutOfRangeException OutOfRange(string owner, string name, double value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"{owner}.{name} must be {rule}; got {value}."));
}
