using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Losses;

/// <summary>Mean squared error, mean((output − target)²), for float targets shaped like the output.</summary>
public sealed class MeanSquaredErrorLoss : ILoss
{
    /// <inheritdoc />
    public string Name => "mse";

    /// <inheritdoc />
    public void Check(LossSetup setup) => LossMath.CheckRegression(nameof(MeanSquaredErrorLoss), setup);

    /// <inheritdoc />
    public Tensor Compute(Tensor output, Tensor target, LossSetup setup, Tensor? mask) =>
        LossMath.WeightedMean((output - target.to(output.dtype)).square(), null, mask?.unsqueeze(-1).expand_as(output));
}

/// <summary>Mean absolute error, mean(|output − target|), for float targets shaped like the output.</summary>
public sealed class MeanAbsoluteErrorLoss : ILoss
{
    /// <inheritdoc />
    public string Name => "mae";

    /// <inheritdoc />
    public void Check(LossSetup setup) => LossMath.CheckRegression(nameof(MeanAbsoluteErrorLoss), setup);

    /// <inheritdoc />
    public Tensor Compute(Tensor output, Tensor target, LossSetup setup, Tensor? mask) =>
        LossMath.WeightedMean((output - target.to(output.dtype)).abs(), null, mask?.unsqueeze(-1).expand_as(output));
}

/// <summary>
/// Huber loss: ½d² for |d| ≤ delta, delta·(|d| − ½delta) beyond (PyTorch's <c>HuberLoss</c>), with d = output − target.
/// </summary>
/// <param name="delta">Where the loss turns from quadratic to linear; positive. Default 1.</param>
public sealed class HuberLoss(double delta = 1.0) : ILoss
{
    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public double Delta { get; } = delta > 0 && double.IsFinite(delta) ? delta
        : throw new ArgumentOutOfRangeException(nameof(delta), delta, $"delta must be positive and finite; got {delta}.");

    /// <inheritdoc />
    public string Name => "huber";

    /// <inheritdoc />
    public void Check(LossSetup setup) => LossMath.CheckRegression(nameof(HuberLoss), setup);

    /// <inheritdoc />
    public Tensor Compute(Tensor output, Tensor target, LossSetup setup, Tensor? mask) =>
        LossMath.WeightedMean(nn.functional.huber_loss(output, target.to(output.dtype), Delta, nn.Reduction.None), null,
            mask?.unsqueeze(-1).expand_as(output));
}
