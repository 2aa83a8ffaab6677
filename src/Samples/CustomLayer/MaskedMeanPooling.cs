using System.Text.Json.Nodes;
using SequenceKit.Layers;
using static TorchSharp.torch;

namespace CustomLayer;

/// <summary>
/// A user-written layer: averages a sequence over its real (unpadded) time steps, (batch, time, features) →
/// (batch, features). It has no parameters, uses the lengths that flow with the batch, and can be saved and
/// loaded once registered with <see cref="LayerRegistry.Register"/>.
/// </summary>
public sealed class MaskedMeanPooling : ISequenceLayer
{
    public const string Name = "Samples.MaskedMeanPooling";

    public string TypeName => Name;

    public LayerShape? RequiredInput => null;                 // adapts to the previous layer

    public nn.Module? Module => null;                         // no parameters

    public LayerShape Build(LayerShape input, LayerBuildContext context)
    {
        if (input.Kind != ShapeKind.Sequence)
            throw context.Incompatible(input, "a sequence (batch, time, features)",
                "Give the recurrent layer before it ReturnSequences = true.");
        return LayerShape.Vector(input.Features);
    }

    public SequenceBatch Forward(SequenceBatch input)
    {
        var x = input.Values;                                             // (B, T, F)
        if (input.Lengths is null) return new SequenceBatch(x.mean([1]), null);
        var lengths = input.Lengths.to(x.device);                         // (B)
        var steps = arange(x.shape[1], device: x.device).unsqueeze(0);    // (1, T)
        var mask = steps.lt(lengths.unsqueeze(1)).unsqueeze(-1).to(x.dtype);   // (B, T, 1)
        var mean = (x * mask).sum(1) / lengths.unsqueeze(1).to(x.dtype); // (B, F)
        return new SequenceBatch(mean, null);                             // no time axis left
    }

    public JsonObject GetConfig() => new();
}
