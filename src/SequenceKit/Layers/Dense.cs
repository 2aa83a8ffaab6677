using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Fully connected layer y = activation(x W^T + b), with inputs·units weights and units biases. After a layer that
/// returns the whole sequence it is applied to every time step: (batch, time, in) → (batch, time, units);
/// otherwise (batch, in) → (batch, units).
/// </summary>
public sealed class Dense : ISequenceLayer
{
    private Linear? linear;

    /// <summary>Creates a dense layer.</summary>
    /// <param name="units">The number of outputs; positive.</param>
    /// <param name="activation">The activation on the outputs. Default <see cref="Activation.None"/> (logits).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> ≤ 0 or over 2^31, or an undefined activation. (Building it also refuses a weight over 2^31 elements.)</exception>
    public Dense(long units, Activation activation = Activation.None)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        LayerLimits.CheckSize(nameof(Dense), nameof(units), units);
        if (!Enum.IsDefined(activation))
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"activation must be one of {string.Join(", ", Enum.GetNames<Activation>())}; got {activation}.");
        Units = units;
        Activation = activation;
    }

    /// <summary>The number of outputs.</summary>
    public long Units { get; }

    /// <summary>The activation on the outputs.</summary>
    public Activation Activation { get; }

    /// <inheritdoc />
    public string TypeName => "Dense";

    /// <inheritdoc />
    public LayerShape? RequiredInput => null;

    /// <inheritdoc />
    public nn.Module? Module => linear;

    /// <inheritdoc />
    public LayerShape Build(LayerShape input, LayerBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        LayerState.EnsureNotBuilt(linear, TypeName);
        if (input.Kind == ShapeKind.Tokens)
            throw context.Incompatible(input, "float features", "Put an Embedding before it to turn token indices into vectors.");
        LayerLimits.CheckParameter(nameof(Dense), "units", Units, "weight (units × input features)", Units, input.Features);
        linear = nn.Linear(input.Features, Units);
        return input with { Features = Units };
    }

    /// <inheritdoc />
    public SequenceBatch Forward(SequenceBatch input) => input with { Values = Activate(PreActivation(input)) };

    /// <summary>x W^T + b, before the activation: the logits a loss works from.</summary>
    internal Tensor PreActivation(SequenceBatch input) => LayerState.Built(linear, TypeName).call(input.Values);   // (B, [T,] units)

    /// <summary>The layer's activation applied to a pre-activation from <see cref="PreActivation"/>.</summary>
    internal Tensor Activate(Tensor z) => Activation switch
    {
        Activation.Relu => nn.functional.relu(z),
        Activation.Tanh => z.tanh(),
        Activation.Sigmoid => z.sigmoid(),
        Activation.Softmax => z.softmax(-1),
        _ => z,
    };

    /// <inheritdoc />
    public JsonObject GetConfig() => new()
    {
        ["units"] = Units,
        ["activation"] = LayerJson.ToNode(Activation),
    };

    internal static Dense FromConfig(JsonObject config) =>
        new(LayerJson.Required<long>(config, "units"), LayerJson.Required<Activation>(config, "activation"));
}
