using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Long short-term memory layer on TorchSharp's fused <c>nn.LSTM</c>. Input (batch, time, features); output
/// (batch, time, units·directions) with <see cref="RecurrentOptions.ReturnSequences"/>, else (batch, units·directions).
/// Parameters per layer and direction: 4·units·(input + units) weights and 2·4·units biases (PyTorch keeps two bias
/// vectors, b_ih and b_hh, where Keras keeps one, so the count is 4·units larger than Keras reports).
/// Inference on the CPU goes through <see cref="LstmInferenceGuard"/>, which keeps it correct where libtorch's oneDNN
/// inference kernel is not.
/// </summary>
public sealed class Lstm : RecurrentLayer
{
    private LSTM? lstm;

    /// <summary>Creates an LSTM layer.</summary>
    /// <param name="units">Hidden size per direction; positive.</param>
    /// <param name="options">Stacking, direction, dropout and output; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> ≤ 0, a weight matrix over 2^31 elements (8 GiB), more than 64 stacked layers, or another option out of range.</exception>
    public Lstm(long units, RecurrentOptions? options = null) : base(units, options ?? new RecurrentOptions()) { }

    /// <inheritdoc />
    internal override RecurrentLayer With(long units, RecurrentOptions options) => new Lstm(units, options);

    /// <inheritdoc />
    public override string TypeName => "Lstm";

    internal static Lstm FromConfig(JsonObject config) =>
        new(LayerJson.Required<long>(config, "units"), LayerJson.Required<RecurrentOptions>(config, "options"));

    private protected override int Gates => 4;

    private protected override nn.Module CreateModule(long inputSize) =>
        lstm = nn.LSTM(inputSize, Units, numLayers: Options.Layers, batchFirst: true,
            dropout: Options.Dropout, bidirectional: Options.Bidirectional);

    private protected override (Tensor Output, Tensor LastHidden) Run(Tensor input)
    {
        // libtorch's oneDNN inference kernel is wrong on some CPUs (see LstmInferenceGuard); the packed path is right.
        if (LstmInferenceGuard.Reroutes(input)) return LstmInferenceGuard.RunPacked(lstm!, input);
        var (output, h, _) = lstm!.call(input);
        return (output, h);
    }

    private protected override (nn.utils.rnn.PackedSequence Output, Tensor LastHidden) RunPacked(nn.utils.rnn.PackedSequence input)
    {
        var (output, h, _) = lstm!.call(input);
        return (output, h);
    }
}
