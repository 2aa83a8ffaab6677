using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Plain (Elman) recurrent layer on TorchSharp's fused <c>nn.RNN</c>, with tanh or ReLU. Input (batch, time, features);
/// output (batch, time, units·directions) with <see cref="RecurrentOptions.ReturnSequences"/>, else (batch, units·directions).
/// Parameters per layer and direction: units·(input + units) weights and 2·units biases. Cheap, but gradients fade over
/// long sequences; prefer <see cref="Lstm"/> or <see cref="Gru"/> beyond a few dozen steps.
/// </summary>
public sealed class SimpleRnn : RecurrentLayer
{
    private RNN? rnn;

    /// <summary>Creates a simple recurrent layer.</summary>
    /// <param name="units">Hidden size per direction; positive.</param>
    /// <param name="options">Non-linearity, stacking, direction, dropout and output; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> ≤ 0, a weight matrix over 2^31 elements (8 GiB), more than 64 stacked layers, or another option out of range.</exception>
    public SimpleRnn(long units, SimpleRnnOptions? options = null) : base(units, options ?? new SimpleRnnOptions()) { }

    /// <inheritdoc />
    internal override RecurrentLayer With(long units, RecurrentOptions options) => new SimpleRnn(units, (SimpleRnnOptions)options);

    /// <summary>The layer's options, its non-linearity included.</summary>
    public new SimpleRnnOptions Options => (SimpleRnnOptions)base.Options;

    /// <inheritdoc />
    public override string TypeName => "SimpleRnn";

    internal static SimpleRnn FromConfig(JsonObject config) =>
        new(LayerJson.Required<long>(config, "units"), LayerJson.Required<SimpleRnnOptions>(config, "options"));

    private protected override int Gates => 1;

    private protected override nn.Module CreateModule(long inputSize) =>
        rnn = nn.RNN(inputSize, Units, numLayers: Options.Layers,
            nonLinearity: Options.Activation == SimpleRnnActivation.Relu ? nn.NonLinearities.ReLU : nn.NonLinearities.Tanh,
            batchFirst: true, dropout: Options.Dropout, bidirectional: Options.Bidirectional);

    private protected override (Tensor Output, Tensor LastHidden) Run(Tensor input) => rnn!.call(input);

    private protected override (nn.utils.rnn.PackedSequence Output, Tensor LastHidden) RunPacked(nn.utils.rnn.PackedSequence input) =>
        rnn!.call(input);
}
