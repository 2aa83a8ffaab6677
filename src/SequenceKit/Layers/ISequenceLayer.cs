using System.Text.Json.Nodes;
using TorchSharp;

namespace SequenceKit.Layers;

/// <summary>
/// A layer of a <see cref="Models.SequenceModel"/>. Implement it to write your own layer: the model calls
/// <see cref="Build"/> once with the previous layer's output shape, registers <see cref="Module"/> (whose parameters
/// are then trained, moved to the model's device and saved), and calls <see cref="Forward"/> inside a dispose scope.
/// Register a factory with <see cref="LayerRegistry.Register"/> so that saved models containing the layer can be loaded.
/// </summary>
public interface ISequenceLayer
{
    /// <summary>The layer's type name, written in summaries and in the saved architecture (e.g. <c>"Lstm"</c>).</summary>
    string TypeName { get; }

    /// <summary>
    /// The input this layer requires wherever it stands (an <see cref="Embedding"/> takes tokens, an <see cref="Input"/>
    /// declares the model's input), or null when the layer adapts to the previous layer's output.
    /// The first layer of a model must declare it.
    /// </summary>
    LayerShape? RequiredInput { get; }

    /// <summary>
    /// Checks the input shape, creates the parameters (on the CPU; the model moves them) and returns the output shape.
    /// Called once. Throw <see cref="LayerBuildContext.Incompatible"/> when the input does not fit.
    /// </summary>
    /// <param name="input">The previous layer's output shape (or <see cref="RequiredInput"/> for the first layer).</param>
    /// <param name="context">Which layer this is and which came before, for error messages.</param>
    /// <returns>This layer's output shape.</returns>
    LayerShape Build(LayerShape input, LayerBuildContext context);

    /// <summary>The TorchSharp module holding the layer's parameters after <see cref="Build"/>, or null when it has none.</summary>
    torch.nn.Module? Module { get; }

    /// <summary>
    /// Runs the layer. Called inside the model's dispose scope; return new tensors and leave the input's alone.
    /// </summary>
    /// <param name="input">The values (on the model's device) and the sequence lengths, if any.</param>
    /// <returns>The output values and the lengths that still apply (null once the time axis is gone).</returns>
    SequenceBatch Forward(SequenceBatch input);

    /// <summary>The layer's configuration as JSON, enough for its registered factory to recreate it (without weights).</summary>
    /// <returns>A new JSON object.</returns>
    JsonObject GetConfig();
}
