using SequenceKit.Layers;

namespace SequenceKit.Training.Metrics;

/// <summary>What a metric needs to read the model's output.</summary>
/// <param name="OutputActivation">The last layer's activation (decides the threshold of a single unit: 0 for logits, 0.5 for sigmoid).</param>
/// <param name="OutputUnits">Output features per sample (the class count for classification).</param>
public sealed record MetricSetup(Activation OutputActivation, long OutputUnits);
