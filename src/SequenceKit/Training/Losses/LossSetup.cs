using SequenceKit.Layers;
using TorchSharp;

namespace SequenceKit.Training.Losses;

/// <summary>What a loss needs to know about the model's output and the targets, gathered once at the start of <c>Fit</c>.</summary>
/// <param name="OutputActivation">The activation of the model's last layer when it is a <see cref="Dense"/>; <see cref="Activation.None"/> otherwise.</param>
/// <param name="OutputShape">The model's output shape.</param>
/// <param name="TargetType">The targets' dtype (int64 for class indices).</param>
/// <param name="TargetShape">The shape of one sample's target, without the batch dimension.</param>
/// <param name="TargetMin">The smallest target value in the training set.</param>
/// <param name="TargetMax">The largest target value in the training set.</param>
/// <param name="TargetsAreDistributions">Float targets whose rows are all in [0, 1] and sum to 1 (one-hot or soft labels).</param>
/// <param name="ClassWeights">Per-class weights on the model's device, or null.</param>
public sealed record LossSetup(
    Activation OutputActivation, LayerShape OutputShape, torch.ScalarType TargetType, long[] TargetShape,
    double TargetMin, double TargetMax, bool TargetsAreDistributions, torch.Tensor? ClassWeights)
{
    /// <summary>True when the targets are class indices (an integer dtype).</summary>
    public bool TargetsAreIndices => torch.is_integral(TargetType);

    /// <summary>The output features per sample (per step for sequence outputs): the class count for classification.</summary>
    public long OutputUnits => OutputShape.Features;

    /// <summary>The shape of one sample's output, without the batch dimension: [units] or [time, units] (time unknown: -1).</summary>
    public long[] OutputSampleShape => OutputShape.Kind == ShapeKind.Sequence ? [-1, OutputShape.Features] : [OutputShape.Features];

    /// <summary>Text for messages: "[10]" or "[time, 10]".</summary>
    public string OutputText => OutputShape.Kind == ShapeKind.Sequence ? $"[time, {OutputShape.Features}]" : $"[{OutputShape.Features}]";

    /// <summary>Text for messages: the target sample shape.</summary>
    public string TargetText => $"[{string.Join(", ", TargetShape)}]";
}
