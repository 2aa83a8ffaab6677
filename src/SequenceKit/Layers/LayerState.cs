namespace SequenceKit.Layers;

/// <summary>The build-once rule of the built-in layers, with its messages written once.</summary>
internal static class LayerState
{
    /// <summary>Throws when a layer is built a second time (it belongs to one model only).</summary>
    public static void EnsureNotBuilt(object? module, string typeName)
    {
        if (module is not null)
            throw new InvalidOperationException($"This {typeName} layer is already built into a model; create a new layer for each model.");
    }

    /// <summary>Returns the built module, or throws when the layer was never added to a model.</summary>
    public static T Built<T>(T? module, string typeName) where T : class =>
        module ?? throw new InvalidOperationException($"This {typeName} layer has not been built; add it to a SequenceModel.");
}
