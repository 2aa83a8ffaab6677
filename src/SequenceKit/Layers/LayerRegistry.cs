using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Layers;

/// <summary>
/// Maps a layer's <see cref="ISequenceLayer.TypeName"/> to a factory that recreates it from its
/// <see cref="ISequenceLayer.GetConfig"/> JSON. Loading a saved model uses it; built-in layers are registered already.
/// </summary>
public static class LayerRegistry
{
    private static readonly ConcurrentDictionary<string, Func<JsonObject, ISequenceLayer>> Factories = new(StringComparer.Ordinal);
    private static readonly string[] BuiltIns;

    static LayerRegistry()
    {
        Factories["Input"] = Input.FromConfig;
        Factories["Embedding"] = Embedding.FromConfig;
        Factories["SimpleRnn"] = SimpleRnn.FromConfig;
        Factories["Lstm"] = Lstm.FromConfig;
        Factories["Gru"] = Gru.FromConfig;
        Factories["Dense"] = Dense.FromConfig;
        Factories["Dropout"] = Dropout.FromConfig;
        BuiltIns = Factories.Keys.ToArray();
    }

    /// <summary>The registered type names, built-in and custom.</summary>
    public static IReadOnlyCollection<string> TypeNames => Factories.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>
    /// Registers (or replaces) the factory for a custom layer type, so saved models containing it can be loaded.
    /// </summary>
    /// <param name="typeName">The layer's <see cref="ISequenceLayer.TypeName"/>; not a built-in name.</param>
    /// <param name="factory">Creates the layer from its configuration JSON.</param>
    /// <exception cref="ArgumentException"><paramref name="typeName"/> is empty or names a built-in layer.</exception>
    public static void Register(string typeName, Func<JsonObject, ISequenceLayer> factory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentNullException.ThrowIfNull(factory);
        if (BuiltIns.Contains(typeName, StringComparer.Ordinal))
            throw new ArgumentException($"'{typeName}' is a built-in layer type and cannot be replaced; choose another type name.", nameof(typeName));
        Factories[typeName] = factory;
    }

    /// <summary>Recreates a layer from its type name and configuration.</summary>
    /// <exception cref="SequenceKitException">The type is not registered, or the configuration is invalid.</exception>
    internal static ISequenceLayer Create(string typeName, JsonObject config)
    {
        if (!Factories.TryGetValue(typeName, out var factory))
            throw new SequenceKitException(
                $"Unknown layer type '{typeName}'. Registered types: {string.Join(", ", TypeNames)}. " +
                "For a custom layer, call LayerRegistry.Register before loading.");
        try
        {
            return factory(config);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new SequenceKitException($"Invalid configuration for layer type '{typeName}': {e.Message}", e);
        }
    }
}
