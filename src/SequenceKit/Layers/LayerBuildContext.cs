namespace SequenceKit.Layers;

/// <summary>Where a layer stands in a model while it is built; makes error messages name both layers and shapes.</summary>
/// <param name="Index">The layer's position in the model, from 0.</param>
/// <param name="Layer">The layer being built.</param>
/// <param name="Previous">The layer before it, or null for the first layer.</param>
public sealed record LayerBuildContext(int Index, ISequenceLayer Layer, ISequenceLayer? Previous)
{
    /// <summary>
    /// An exception saying the input does not fit this layer: names this layer, the previous one, the shape seen and
    /// what was expected, and how to fix it.
    /// </summary>
    /// <param name="input">The shape the layer was given.</param>
    /// <param name="expected">What the layer needs, e.g. "a sequence (batch, time, features)".</param>
    /// <param name="fix">A concrete change that would make it fit, or null.</param>
    /// <returns>The exception, for the caller to throw.</returns>
    public SequenceKitException Incompatible(LayerShape input, string expected, string? fix = null)
    {
        var from = Previous is null
            ? $"the model input {input}"
            : $"layer {Index - 1} ({Previous.TypeName}) whose output is {input}";
        var message = $"Layer {Index} ({Layer.TypeName}) cannot follow {from}: {Layer.TypeName} expects {expected}.";
        return new SequenceKitException(fix is null ? message : $"{message} {fix}");
    }
}
