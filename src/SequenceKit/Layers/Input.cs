using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Declares a model's input when its first real layer cannot infer it (Keras' <c>Input</c>): a sequence of
/// feature vectors (batch, time, features) or one vector per sample (batch, features). Has no parameters.
/// A model that starts with an <see cref="Embedding"/> needs no Input.
/// </summary>
public sealed class Input : ISequenceLayer
{
    private Input(LayerShape shape) => Shape = shape;

    /// <summary>The declared input shape.</summary>
    public LayerShape Shape { get; }

    /// <summary>Declares sequences of <paramref name="features"/> floats per time step: (batch, time, features).</summary>
    /// <param name="features">Features per time step; positive.</param>
    /// <returns>The input layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> ≤ 0.</exception>
    public static Input Sequence(long features)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        return new Input(LayerShape.Sequence(features));
    }

    /// <summary>Declares one vector of <paramref name="features"/> floats per sample: (batch, features).</summary>
    /// <param name="features">Features per sample; positive.</param>
    /// <returns>The input layer.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="features"/> ≤ 0.</exception>
    public static Input Vector(long features)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        return new Input(LayerShape.Vector(features));
    }

    /// <inheritdoc />
    public string TypeName => "Input";

    /// <inheritdoc />
    public LayerShape? RequiredInput => Shape;

    /// <inheritdoc />
    public nn.Module? Module => null;

    /// <inheritdoc />
    public LayerShape Build(LayerShape input, LayerBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Index != 0)
            throw context.Incompatible(input, "to be the model's first layer", "Move the Input to the front of the model.");
        return Shape;
    }

    /// <inheritdoc />
    public SequenceBatch Forward(SequenceBatch input) => input;

    /// <inheritdoc />
    public JsonObject GetConfig() => new()
    {
        ["kind"] = LayerJson.ToNode(Shape.Kind),
        ["features"] = Shape.Features,
    };

    internal static Input FromConfig(JsonObject config)
    {
        var features = LayerJson.Required<long>(config, "features");
        return LayerJson.Required<ShapeKind>(config, "kind") switch
        {
            ShapeKind.Sequence => Sequence(features),
            ShapeKind.Vector => Vector(features),
            var kind => throw new ArgumentException($"An Input declares a Sequence or a Vector; got {kind}. Token inputs are declared by an Embedding."),
        };
    }
}
