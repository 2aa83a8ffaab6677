using SequenceKit.Monitoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Metrics;

/// <summary>Mean absolute error over all output elements (real steps only for padded sequences).</summary>
public sealed class MeanAbsoluteError : IMetric
{
    private double sum;
    private long count;

    /// <inheritdoc />
    public string Name => "mae";

    /// <inheritdoc />
    public MetricMode Mode => MetricMode.Minimize;

    /// <inheritdoc />
    public void Reset(MetricSetup setup) => (sum, count) = (0, 0);

    /// <inheritdoc />
    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var error = (output - target.to(output.dtype)).abs();
        if (mask is not null) error = error.masked_select(mask.unsqueeze(-1).expand_as(error));
        sum += error.sum().to(ScalarType.Float64).item<double>();
        count += error.numel();
    }

    /// <inheritdoc />
    public double Result() => count == 0 ? double.NaN : sum / count;
}

/// <summary>Root mean squared error over all output elements (real steps only for padded sequences).</summary>
public sealed class RootMeanSquaredError : IMetric
{
    private double sum;
    private long count;

    /// <inheritdoc />
    public string Name => "rmse";

    /// <inheritdoc />
    public MetricMode Mode => MetricMode.Minimize;

    /// <inheritdoc />
    public void Reset(MetricSetup setup) => (sum, count) = (0, 0);

    /// <inheritdoc />
    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var error = (output - target.to(output.dtype)).square();
        if (mask is not null) error = error.masked_select(mask.unsqueeze(-1).expand_as(error));
        sum += error.sum().to(ScalarType.Float64).item<double>();
        count += error.numel();
    }

    /// <inheritdoc />
    public double Result() => count == 0 ? double.NaN : Math.Sqrt(sum / count);
}
