using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// The common part of <see cref="SimpleRnn"/>, <see cref="Lstm"/> and <see cref="Gru"/>: each runs TorchSharp's fused
/// module (one native call per sequence, batch-first), packs padded batches so that each sequence runs only over its
/// own length, and returns either the whole sequence or the last step.
/// </summary>
public abstract class RecurrentLayer : ISequenceLayer
{
    private nn.Module? module;

    private protected RecurrentLayer(long units, RecurrentOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        LayerLimits.CheckSize(GetType().Name, nameof(units), units);
        LayerLimits.CheckParameter(GetType().Name, nameof(units), units, "weight_hh (gates·units × units)", Gates * units, units);
        Units = units;
        Options = options;
    }

    /// <summary>The hidden size of each direction (Keras' <c>units</c>, PyTorch's <c>hidden_size</c>).</summary>
    public long Units { get; }

    /// <summary>The layer's options.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>The output features: <see cref="Units"/>, doubled when bidirectional.</summary>
    public long OutputFeatures => Options.Bidirectional ? 2 * Units : Units;

    /// <inheritdoc />
    public abstract string TypeName { get; }

    /// <summary>A new, unbuilt layer of the same cell with these units and options (the doctor's variants: wider, without dropout).</summary>
    internal abstract RecurrentLayer With(long units, RecurrentOptions options);

    /// <summary>A new, unbuilt layer of the same cell and options with <paramref name="units"/> units.</summary>
    internal RecurrentLayer WithUnits(long units) => With(units, Options);

    /// <inheritdoc />
    public LayerShape? RequiredInput => null;

    /// <inheritdoc />
    public nn.Module? Module => module;

    /// <inheritdoc />
    public LayerShape Build(LayerShape input, LayerBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        LayerState.EnsureNotBuilt(module, TypeName);
        switch (input.Kind)
        {
            case ShapeKind.Tokens:
                throw context.Incompatible(input, "a sequence (batch, time, features) of floats",
                    "Put an Embedding before it to turn token indices into vectors.");
            case ShapeKind.Vector:
                throw context.Incompatible(input, "a sequence (batch, time, features); the input has no time axis left",
                    "Set ReturnSequences = true on the recurrent layer before it.");
        }
        // weight_ih of the first layer takes the input; of a stacked layer, the previous layer's directions·units.
        var widestInput = Math.Max(input.Features, Options.Layers > 1 ? (Options.Bidirectional ? 2 : 1) * Units : 0);
        LayerLimits.CheckParameter(TypeName, "units", Units, "weight_ih (gates·units × input features)", Gates * Units, widestInput);
        module = CreateModule(input.Features);
        return Options.ReturnSequences ? LayerShape.Sequence(OutputFeatures) : LayerShape.Vector(OutputFeatures);
    }

    /// <inheritdoc />
    public SequenceBatch Forward(SequenceBatch input)
    {
        LayerState.Built(module, TypeName);
        var x = input.Values;                                   // (B, T, F)
        Tensor output, lastHidden;                              // (B, T, dirs*H), (layers*dirs, B, H)
        if (input.Lengths is { } lengths)
        {
            var steps = x.shape[1];
            var shortest = lengths.min().item<long>();
            if (shortest < 1)
            {
                var index = lengths.argmin().item<long>();
                throw new ArgumentException(
                    $"Sequence {index} of the batch has length {shortest}: it is all padding, so {TypeName} has nothing to run on. " +
                    "Remove empty sequences from the data (or give them at least one real token).", nameof(input));
            }
            var packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first: true, enforce_sorted: false);
            var (packedOutput, hidden) = RunPacked(packed);
            lastHidden = hidden;
            output = Options.ReturnSequences
                ? nn.utils.rnn.pad_packed_sequence(packedOutput, batch_first: true, total_length: steps).Item1
                : null!;
        }
        else
        {
            (output, lastHidden) = Run(x);
        }

        if (Options.ReturnSequences) return new SequenceBatch(output, input.Lengths);
        var last = Options.Bidirectional
            ? cat(new[] { lastHidden[-2], lastHidden[-1] }, dim: -1)   // (B, 2H): forward's last step, backward's first
            : lastHidden[-1];                                          // (B, H)
        return new SequenceBatch(last, null);
    }

    /// <inheritdoc />
    public JsonObject GetConfig() => new()
    {
        ["units"] = Units,
        ["options"] = LayerJson.ToNode(Options),
    };

    /// <summary>Gate blocks in each weight matrix: 4 for an LSTM, 3 for a GRU, 1 for a simple RNN (a constant).</summary>
    private protected abstract int Gates { get; }

    /// <summary><see cref="Gates"/>, for <see cref="LayerParameters"/>' shape arithmetic.</summary>
    internal int GateCount => Gates;

    private protected abstract nn.Module CreateModule(long inputSize);

    private protected abstract (Tensor Output, Tensor LastHidden) Run(Tensor input);

    private protected abstract (nn.utils.rnn.PackedSequence Output, Tensor LastHidden) RunPacked(nn.utils.rnn.PackedSequence input);
}
