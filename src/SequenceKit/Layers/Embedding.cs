using System.Text.Json.Nodes;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Turns token indices (batch, time) into vectors (batch, time, dimension) through a trainable lookup table of
/// vocabularySize × dimension weights. Must be a model's first layer. With <see cref="EmbeddingOptions.MaskZero"/>,
/// index 0 is padding and sets each sequence's length for the layers after it.
/// </summary>
public sealed class Embedding : ISequenceLayer
{
    private TorchSharp.Modules.Embedding? embedding;

    /// <summary>Creates an embedding layer.</summary>
    /// <param name="vocabularySize">The number of token indices, so valid tokens are 0 .. vocabularySize − 1; positive.</param>
    /// <param name="dimension">The length of each token's vector; positive.</param>
    /// <param name="options">Padding behaviour; null for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vocabularySize"/> or <paramref name="dimension"/> ≤ 0, or the weight (vocabularySize × dimension) would exceed 2^31 elements (8 GiB).</exception>
    public Embedding(long vocabularySize, long dimension, EmbeddingOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(vocabularySize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(dimension);
        LayerLimits.CheckParameter(nameof(Embedding), vocabularySize >= dimension ? nameof(vocabularySize) : nameof(dimension),
            Math.Max(vocabularySize, dimension), "weight (vocabularySize × dimension)", vocabularySize, dimension);
        VocabularySize = vocabularySize;
        Dimension = dimension;
        Options = options ?? new EmbeddingOptions();
    }

    /// <summary>The number of token indices.</summary>
    public long VocabularySize { get; }

    /// <summary>The length of each token's vector.</summary>
    public long Dimension { get; }

    /// <summary>The layer's options.</summary>
    public EmbeddingOptions Options { get; }

    /// <inheritdoc />
    public string TypeName => "Embedding";

    /// <inheritdoc />
    public LayerShape? RequiredInput => LayerShape.Tokens(VocabularySize);

    /// <inheritdoc />
    public nn.Module? Module => embedding;

    /// <inheritdoc />
    public LayerShape Build(LayerShape input, LayerBuildContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        LayerState.EnsureNotBuilt(embedding, TypeName);
        if (input.Kind != ShapeKind.Tokens || context.Index != 0)
            throw context.Incompatible(input, "token indices (batch, time) and must be the model's first layer",
                "Move the Embedding to the front of the model.");
        embedding = nn.Embedding(VocabularySize, Dimension, padding_idx: Options.MaskZero ? 0 : null);
        return LayerShape.Sequence(Dimension);
    }

    /// <inheritdoc />
    public SequenceBatch Forward(SequenceBatch input)
    {
        var built = LayerState.Built(embedding, TypeName);
        var tokens = input.Values;                                        // (B, T) int64
        var vectors = built.call(tokens);                             // (B, T, D)
        var lengths = input.Lengths;
        if (lengths is null && Options.MaskZero && tokens.shape[1] > 0)
        {
            var steps = tokens.shape[1];
            var positions = arange(1, steps + 1, dtype: ScalarType.Int64, device: tokens.device);   // (T)
            var lastReal = (tokens.ne(0).to(ScalarType.Int64) * positions).amax(new long[] { 1 });  // (B)
            var candidate = lastReal.cpu();
            // Batches without padding skip packing altogether.
            lengths = candidate.min().item<long>() == steps ? null : candidate;
        }
        return new SequenceBatch(vectors, lengths);
    }

    /// <inheritdoc />
    public JsonObject GetConfig() => new()
    {
        ["vocabularySize"] = VocabularySize,
        ["dimension"] = Dimension,
        ["options"] = LayerJson.ToNode(Options),
    };

    internal static Embedding FromConfig(JsonObject config) =>
        new(LayerJson.Required<long>(config, "vocabularySize"), LayerJson.Required<long>(config, "dimension"),
            LayerJson.Required<EmbeddingOptions>(config, "options"));
}
