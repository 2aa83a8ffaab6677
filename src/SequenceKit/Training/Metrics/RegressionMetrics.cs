using SequenceKit.Monitoring;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Training.Metrics;

/// <summary>A mean of an element-wise error over all output elements (real steps only for padded sequences).</summary>
public abstract class ElementwiseErrorMetric : IMetric
{
    private double sum;
    private long count;

    private protected ElementwiseErrorMetric() { }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public MetricMode Mode => MetricMode.Minimize;

    /// <inheritdoc />
    public void Reset(MetricSetup setup) => (sum, count) = (0, 0);

    /// <inheritdoc />
    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        var error = Error(output - target.to(output.dtype));
        if (mask is not null) error = error.masked_select(mask.unsqueeze(-1).expand_as(error));
        sum += error.sum().to(ScalarType.Float64).item<double>();
        count += error.numel();
    }

    /// <inheritdoc />
    public double Result() => count == 0 ? double.NaN : Finish(sum / count);

    /// <summary>The per-element error of a difference (output − target).</summary>
    private protected abstract Tensor Error(Tensor difference);

    /// <summary>Turns the mean error into the metric (identity, or a square root).</summary>
    private protected virtual double Finish(double meanError) => meanError;

    /// <summary>A new metric of the same kind, with its own running sums.</summary>
    internal ElementwiseErrorMetric Fresh()
    {
        var copy = (ElementwiseErrorMetric)MemberwiseClone();
        copy.sum = 0;
        copy.count = 0;
        return copy;
    }
}

/// <summary>
/// An error metric computed after mapping outputs and targets back to original units with the model's target scaler:
/// "mae" becomes "mae_original". The trainer adds one for each error metric when the model carries a fitted
/// <c>Scalers["targets"]</c> whose features match its outputs.
/// </summary>
internal sealed class OriginalUnitsMetric(ElementwiseErrorMetric measure, Preprocessing.IScaler targets) : IMetric
{
    /// <summary>The suffix of the name: "mae" → "mae_original".</summary>
    public const string Suffix = "_original";

    public string Name => measure.Name + Suffix;

    public MetricMode Mode => measure.Mode;

    public void Reset(MetricSetup setup) => measure.Reset(setup);

    public void Update(Tensor output, Tensor target, Tensor? mask)
    {
        using var scope = NewDisposeScope();
        measure.Update(targets.InverseTransform(output.to(ScalarType.Float32)), targets.InverseTransform(target.to(ScalarType.Float32)), mask);
    }

    public double Result() => measure.Result();
}

/// <summary>Mean absolute error over all output elements (real steps only for padded sequences).</summary>
public sealed class MeanAbsoluteError : ElementwiseErrorMetric
{
    /// <inheritdoc />
    public override string Name => "mae";

    private protected override Tensor Error(Tensor difference) => difference.abs();
}

/// <summary>Root mean squared error over all output elements (real steps only for padded sequences).</summary>
public sealed class RootMeanSquaredError : ElementwiseErrorMetric
{
    /// <inheritdoc />
    public override string Name => "rmse";

    private protected override Tensor Error(Tensor difference) => difference.square();

    private protected override double Finish(double meanError) => Math.Sqrt(meanError);
}
