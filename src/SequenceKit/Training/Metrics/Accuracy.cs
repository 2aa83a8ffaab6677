using SequenceKit.Monitoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Metrics;

/// <summary>
/// The share of samples (or real time steps) whose predicted class is the true class. Works from logits or
/// probabilities (argmax), with class-index or one-hot targets, and for one unit (threshold 0 on logits, 0.5 on a sigmoid).
/// </summary>
public sealed class Accuracy : IMetric
{
    private long correct, total;
    private MetricSetup setup = new(Layers.Activation.None, 2);

    /// <inheritdoc />
    public string Name => "accuracy";

    /// <inheritdoc />
    public MetricMode Mode => MetricMode.Maximize;

    /// <inheritdoc />
    public void Reset(MetricSetup setup) => (this.setup, correct, total) = (setup, 0, 0);

    /// <inheritdoc />
    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var (predicted, actual) = ClassPredictions.Of(output, target, setup, mask);
        correct += predicted.eq(actual).sum().item<long>();
        total += actual.numel();
    }

    /// <inheritdoc />
    public double Result() => total == 0 ? double.NaN : (double)correct / total;
}

/// <summary>The share of samples whose true class is among the k highest-scoring outputs.</summary>
/// <param name="k">How many top classes count; positive.</param>
public sealed class TopKAccuracy(int k) : IMetric
{
    private long correct, total;

    /// <summary>How many top classes count.</summary>
    public int K { get; } = k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be positive; got {k}.");

    /// <inheritdoc />
    public string Name => $"top_{K}_accuracy";

    /// <inheritdoc />
    public MetricMode Mode => MetricMode.Maximize;

    /// <inheritdoc />
    public void Reset(MetricSetup setup)
    {
        if (setup.OutputUnits < K)
            throw new SequenceKitException($"TopKAccuracy(k: {K}) needs at least {K} output units; the model has {setup.OutputUnits}.");
        (correct, total) = (0, 0);
    }

    /// <inheritdoc />
    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var actual = (is_integral(target.dtype) ? target.to(ScalarType.Int64) : target.argmax(-1)).unsqueeze(-1);   // (B, [T,] 1)
        var top = output.topk(K, dim: -1).indexes;                                                                 // (B, [T,] k)
        var hit = top.eq(actual).any(-1);
        if (mask is not null) hit = hit.masked_select(mask);
        correct += hit.sum().item<long>();
        total += hit.numel();
    }

    /// <inheritdoc />
    public double Result() => total == 0 ? double.NaN : (double)correct / total;
}
