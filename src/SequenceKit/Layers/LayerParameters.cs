namespace SequenceKit.Layers;

/// <summary>
/// The parameter names and shapes a built-in layer will create for a given input, computed from its configuration
/// alone: nothing is allocated. Loading a model file compares them with the file's parameter list before each layer is
/// built, so that a crafted configuration (an Embedding of 2^26 rows, a GRU of 30,000 units, 64 stacked LSTMs) is
/// refused instead of allocated and randomly initialized.
/// </summary>
/// <remarks>
/// Why arithmetic and not TorchSharp's meta device: <c>torch.set_default_device</c> is process-wide state (it would
/// also put on the meta device the tensors other threads create meanwhile), TorchSharp versions before 0.107 ignored
/// it in <c>nn.Embedding</c>/<c>nn.LSTM</c>/<c>nn.GRU</c>/<c>nn.RNN</c> (TorchSharp #1536), and a meta-built model
/// would still have to be rebuilt for real. The formulas below are PyTorch's (names and shapes of <c>nn.Embedding</c>,
/// <c>nn.Linear</c> and the fused recurrent modules, bidirectional and stacked), and a test builds every layer type in
/// many configurations and checks them against the real modules' state dicts. A custom layer
/// (<see cref="LayerRegistry.Register"/>) has no formula: it is built as before, bounded by its own constructor's
/// checks, and its parameters are compared with the file's right after its Build, before any later layer is built.
/// </remarks>
internal static class LayerParameters
{
    /// <summary>
    /// The parameters (name within the layer's module → shape) <paramref name="layer"/> will create when built on
    /// <paramref name="input"/>; empty for a layer without parameters; null for a custom layer, or an input the layer's
    /// own Build refuses (before allocating anything) with a better message.
    /// </summary>
    public static IReadOnlyList<(string Name, long[] Shape)>? Expected(ISequenceLayer layer, LayerShape input)
    {
        switch (layer)
        {
            case Input or Dropout:
                return [];
            case Embedding embedding when input.Kind == ShapeKind.Tokens:
                return [("weight", [embedding.VocabularySize, embedding.Dimension])];
            case Dense dense when input.Kind != ShapeKind.Tokens:
                return [("weight", [dense.Units, input.Features]), ("bias", [dense.Units])];
            case RecurrentLayer recurrent when input.Kind == ShapeKind.Sequence:
            {
                var rows = recurrent.GateCount * recurrent.Units;          // gates·units
                var directions = recurrent.Options.Bidirectional ? 2 : 1;
                var list = new List<(string, long[])>();
                for (var k = 0; k < recurrent.Options.Layers; k++)
                {
                    var inputs = k == 0 ? input.Features : directions * recurrent.Units;
                    for (var d = 0; d < directions; d++)
                    {
                        var suffix = $"_l{k}{(d == 1 ? "_reverse" : "")}";
                        list.Add(($"weight_ih{suffix}", [rows, inputs]));
                        list.Add(($"weight_hh{suffix}", [rows, recurrent.Units]));
                        list.Add(($"bias_ih{suffix}", [rows]));
                        list.Add(($"bias_hh{suffix}", [rows]));
                    }
                }
                return list;
            }
            default:
                return null;
        }
    }
}
