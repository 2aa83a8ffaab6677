using System.Text.Json.Nodes;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Zeroes each value with probability <see cref="Rate"/> during training and scales the rest by 1/(1 − rate);
/// does nothing in evaluation mode. Keeps the shape and the sequence lengths.
/// </summary>
public sealed class Dropout : ISequenceLayer
{
    private TorchSharp.Modules.Dropout? dropout;

    /// <summary>Creates a dropout layer.</summary>
    /// <param name="rate">The probability of zeroing a value, in [0, 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public Dropout(double rate)
    {
        if (!(rate >= 0 && rate < 1))
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"rate must be in [0, 1); got {rate}.");
        Rate = rate;
    }

    /// <summary>The probability of zeroing a value.</summary>
    public double Rate { get; }

    /// <inheritdoc />
    public string TypeName => "Dropout";

    /// <inheritdoc />
    public LayerShape? RequiredInput => null;

    /// <inheritdoc />
    public nn.Module? Module => dropout;

    /// <inheritdoc />
    public LayerShape Build(LayerShape input, LayerBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        LayerState.EnsureNotBuilt(dropout, TypeName);
        if (input.Kind == ShapeKind.Tokens)
            throw context.Incompatible(input, "float features", "Put it after the Embedding, not before.");
        dropout = nn.Dropout(Rate);
        return input;
    }

    /// <inheritdoc />
    public SequenceBatch Forward(SequenceBatch input)
    {
        var built = LayerState.Built(dropout, TypeName);
        return input with { Values = built.call(input.Values) };
    }

    /// <inheritdoc />
    public JsonObject GetConfig() => new() { ["rate"] = Rate };

    internal static Dropout FromConfig(JsonObject config) => new(LayerJson.Required<double>(config, "rate"));
}
