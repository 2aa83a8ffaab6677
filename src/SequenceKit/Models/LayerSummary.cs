using SequenceKit.Layers;

namespace SequenceKit.Models;

/// <summary>One row of a model's summary.</summary>
/// <param name="Index">The layer's position, from 0; also the prefix of its parameter names (<c>1.weight_ih_l0</c>).</param>
/// <param name="Name">A readable name, e.g. <c>lstm_1</c>.</param>
/// <param name="TypeName">The layer type, e.g. <c>Lstm</c>.</param>
/// <param name="OutputShape">The layer's output shape.</param>
/// <param name="Parameters">The number of scalar parameters (weights and biases) the layer holds.</param>
/// <param name="TrainableParameters">How many of those require gradients.</param>
public sealed record LayerSummary(int Index, string Name, string TypeName, LayerShape OutputShape, long Parameters, long TrainableParameters);
