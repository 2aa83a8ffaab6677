using SequenceKit.Monitoring;
using TorchSharp;

namespace SequenceKit.Training.Metrics;

/// <summary>A metric read from a confusion matrix accumulated over the epoch.</summary>
public abstract class ConfusionMatrixMetric : IMetric
{
    private readonly ConfusionMatrix matrix = new();

    private protected ConfusionMatrixMetric() { }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <inheritdoc />
    public MetricMode Mode => MetricMode.Maximize;

    /// <inheritdoc />
    public void Reset(MetricSetup setup) => matrix.Reset(setup);

    /// <inheritdoc />
    public void Update(torch.Tensor output, torch.Tensor target, torch.Tensor? mask) => matrix.Update(output, target, mask);

    /// <inheritdoc />
    public double Result() => Read(matrix);

    private protected abstract double Read(ConfusionMatrix matrix);
}

/// <summary>Macro-averaged precision: the mean over classes of correct / predicted.</summary>
public sealed class MacroPrecision : ConfusionMatrixMetric
{
    /// <inheritdoc />
    public override string Name => "macro_precision";

    private protected override double Read(ConfusionMatrix matrix) => matrix.MacroPrecision;
}

/// <summary>Macro-averaged recall: the mean over classes of correct / actual (balanced accuracy).</summary>
public sealed class MacroRecall : ConfusionMatrixMetric
{
    /// <inheritdoc />
    public override string Name => "macro_recall";

    private protected override double Read(ConfusionMatrix matrix) => matrix.MacroRecall;
}

/// <summary>Macro-averaged F1: the mean over classes of each class's F1.</summary>
public sealed class MacroF1 : ConfusionMatrixMetric
{
    /// <inheritdoc />
    public override string Name => "macro_f1";

    private protected override double Read(ConfusionMatrix matrix) => matrix.MacroF1;
}
