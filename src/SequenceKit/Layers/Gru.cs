using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Gated recurrent unit layer on TorchSharp's fused <c>nn.GRU</c>. Input (batch, time, features); output
/// (batch, time, units·directions) with <see cref="RecurrentOptions.ReturnSequences"/>, else (batch, units·directions).
/// Parameters per layer and direction: 3·units·(input + units) weights and 2·3·units biases (PyTorch's layout, which
/// matches Keras' <c>reset_after=True</c> GRU).
/// </summary>
public sealed class Gru : RecurrentLayer
{
    private GRU? gru;

    /// <summary>Creates a GRU layer.</summary>
    /// <param name="units">Hidden size per direction; positive.</param>
    /// <param name="options">Stacking, direction, dropout and output; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> ≤ 0, a weight matrix over 2^31 elements (8 GiB), more than 64 stacked layers, or another option out of range.</exception>
    public Gru(long units, RecurrentOptions? options = null) : base(units, options ?? new RecurrentOptions()) { }

    /// <inheritdoc />
    internal override RecurrentLayer With(long units, RecurrentOptions options) => new Gru(units, options);

    /// <inheritdoc />
    public override string TypeName => "Gru";

    internal static Gru FromConfig(JsonObject config) =>
        new(LayerJson.Required<long>(config, "units"), LayerJson.Required<RecurrentOptions>(config, "options"));

    private protected override int Gates => 3;

    private protected override nn.Module CreateModule(long inputSize) =>
        gru = nn.GRU(inputSize, Units, numLayers: Options.Layers, batchFirst: true,
            dropout: Options.Dropout, bidirectional: Options.Bidirectional);

    private protected override (Tensor Output, Tensor LastHidden) Run(Tensor input) => gru!.call(input);

    private protected override (nn.utils.rnn.PackedSequence Output, Tensor LastHidden) RunPacked(nn.utils.rnn.PackedSequence input) =>
        gru!.call(input);
}
