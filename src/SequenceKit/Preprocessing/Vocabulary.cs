using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Maps tokens to indices for an Embedding. Index 0 is padding (<see cref="PaddingToken"/>) and index 1 is the
/// out-of-vocabulary token (<see cref="UnknownToken"/>); real tokens follow from 2, most frequent first, ties in
/// order of first appearance. <see cref="Count"/> is the Embedding's vocabulary size. A vocabulary built from raw
/// texts (<see cref="FromTexts"/>) keeps its <see cref="Tokenizer"/>, so <see cref="EncodeTexts"/> turns new raw texts
/// into the model's input exactly as at training, and a model file that carries the vocabulary carries the tokenizer.
/// </summary>
public sealed class Vocabulary
{
    /// <summary>The index of padding.</summary>
    public const long PaddingIndex = 0;

    /// <summary>The index every unknown token maps to.</summary>
    public const long UnknownIndex = 1;

    /// <summary>The token shown for <see cref="PaddingIndex"/>.</summary>
    public const string PaddingToken = "<pad>";

    /// <summary>The token shown for <see cref="UnknownIndex"/>.</summary>
    public const string UnknownToken = "<unk>";

    private const string Format = "SequenceKit.Vocabulary";
    private readonly string[] tokens;
    private readonly Dictionary<string, long> indices;

    private Vocabulary(string[] tokens, Tokenizer? tokenizer)
    {
        this.tokens = tokens;
        Tokenizer = tokenizer;
        indices = new Dictionary<string, long>(tokens.Length, StringComparer.Ordinal);
        for (var i = 2; i < tokens.Length; i++) indices[tokens[i]] = i;
    }

    /// <summary>Entries, the two reserved ones included: the vocabulary size to give an Embedding.</summary>
    public int Count => tokens.Length;

    /// <summary>The tokens by index: <c>Tokens[0]</c> is <see cref="PaddingToken"/>, <c>Tokens[1]</c> <see cref="UnknownToken"/>.</summary>
    public IReadOnlyList<string> Tokens => tokens.AsReadOnly();

    /// <summary>
    /// How raw text becomes tokens for <see cref="EncodeTexts"/>: set by <see cref="FromTexts"/> or
    /// <see cref="WithTokenizer"/>; null for a vocabulary built from tokens with <see cref="Build"/>.
    /// </summary>
    public Tokenizer? Tokenizer { get; }

    /// <summary>Builds a vocabulary from a tokenized corpus.</summary>
    /// <param name="corpus">Token sequences (e.g. words of each document).</param>
    /// <param name="options">Size limit and minimum frequency; null to keep every token.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="ArgumentException">The corpus or a sequence or token in it is null, or a token is one of the reserved ones.</exception>
    /// <exception cref="ArgumentOutOfRangeException">MaxSize &lt; 2 or MinFrequency &lt; 1.</exception>
    public static Vocabulary Build(IEnumerable<IEnumerable<string>> corpus, VocabularyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        options ??= new VocabularyOptions();
        if (options.MaxSize is < 2)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxSize, $"VocabularyOptions.MaxSize must be at least 2 (padding and unknown); got {options.MaxSize}.");
        if (options.MinFrequency < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MinFrequency, $"VocabularyOptions.MinFrequency must be at least 1; got {options.MinFrequency}.");

        var counts = new Dictionary<string, (long Count, long First)>(StringComparer.Ordinal);
        long position = 0, sequence = 0;
        foreach (var document in corpus)
        {
            if (document is null) throw new ArgumentException($"corpus sequence {sequence} is null.", nameof(corpus));
            foreach (var token in document)
            {
                if (token is null) throw new ArgumentException($"corpus sequence {sequence} holds a null token.", nameof(corpus));
                if (token is PaddingToken or UnknownToken)
                    throw new ArgumentException($"corpus sequence {sequence} holds the reserved token '{token}'.", nameof(corpus));
                counts[token] = counts.TryGetValue(token, out var c) ? (c.Count + 1, c.First) : (1, position);
                position++;
            }
            sequence++;
        }
        var kept = counts.Where(p => p.Value.Count >= options.MinFrequency)
            .OrderByDescending(p => p.Value.Count).ThenBy(p => p.Value.First)
            .Select(p => p.Key);
        if (options.MaxSize is { } max) kept = kept.Take(max - 2);
        return new Vocabulary([PaddingToken, UnknownToken, .. kept], tokenizer: null);
    }

    /// <summary>
    /// Builds a vocabulary from raw texts: each is cut into tokens by a <see cref="Preprocessing.Tokenizer"/> with
    /// <paramref name="tokenizer"/> (so the vocabulary holds the tokens the model will see, the first
    /// <see cref="TokenizerOptions.MaxLength"/> of each text), and the settings are kept in <see cref="Tokenizer"/>.
    /// </summary>
    /// <param name="texts">The training texts.</param>
    /// <param name="tokenizer">Lowercasing, splitting and length; null for the defaults of <see cref="TokenizerOptions"/>.</param>
    /// <param name="options">Size limit and minimum frequency; null to keep every token.</param>
    /// <returns>The vocabulary, with its tokenizer.</returns>
    /// <exception cref="ArgumentException">A text is null, or (with <see cref="TokenSplitting.Whitespace"/>) holds a reserved token.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it).</exception>
    public static Vocabulary FromTexts(IEnumerable<string> texts, TokenizerOptions? tokenizer = null, VocabularyOptions? options = null)
    {
        var cutter = new Tokenizer(tokenizer);
        return new Vocabulary(Build(cutter.TokenizeAll(texts), options).tokens, cutter);
    }

    /// <summary>
    /// This vocabulary (same tokens and indices) with tokenizer settings, for a vocabulary built from tokens with
    /// <see cref="Build"/> or loaded from an older file; the settings must be those that produced the tokens.
    /// </summary>
    /// <param name="tokenizer">The tokenizer settings.</param>
    /// <returns>A new vocabulary; this one is unchanged.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range.</exception>
    public Vocabulary WithTokenizer(TokenizerOptions tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return new Vocabulary(tokens, new Tokenizer(tokenizer));
    }

    /// <summary>The index of a token, or <see cref="UnknownIndex"/> when it is not in the vocabulary.</summary>
    /// <param name="token">The token.</param>
    /// <returns>Its index.</returns>
    public long this[string token] => indices.TryGetValue(token ?? throw new ArgumentNullException(nameof(token)), out var index) ? index : UnknownIndex;

    /// <summary>Whether the token has an index of its own.</summary>
    /// <param name="token">The token.</param>
    /// <returns>True when it is in the vocabulary.</returns>
    public bool Contains(string token) => indices.ContainsKey(token);

    /// <summary>Encodes one token sequence; unknown tokens become <see cref="UnknownIndex"/>.</summary>
    /// <param name="sequence">The tokens.</param>
    /// <returns>The indices.</returns>
    public long[] Encode(IEnumerable<string> sequence)
    {
        ArgumentNullException.ThrowIfNull(sequence);
        return sequence.Select(t => this[t]).ToArray();
    }

    /// <summary>Encodes every sequence of a corpus, ready for <see cref="PadSequences.Tokens"/>.</summary>
    /// <param name="corpus">Token sequences.</param>
    /// <returns>One index array per sequence.</returns>
    public long[][] EncodeAll(IEnumerable<IEnumerable<string>> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        return corpus.Select(Encode).ToArray();
    }

    /// <summary>
    /// Turns raw texts into a model's input: each is cut by <see cref="Tokenizer"/>, encoded (unknown tokens become
    /// <see cref="UnknownIndex"/>) and post-padded with 0 to <see cref="TokenizerOptions.MaxLength"/> (or, without a
    /// limit, to the longest text). A text with no tokens (empty, or only punctuation with
    /// <see cref="TokenSplitting.Words"/>) is encoded as one <see cref="UnknownToken"/>, because a recurrent layer
    /// cannot run an empty sequence; the returned warnings name such texts. Use the same call for training and
    /// inference, and pass the lengths to the model (<c>SequenceDataset.FromArrays(batch.Values, labels, batch.Lengths)</c>).
    /// </summary>
    /// <param name="texts">Raw texts; at least one.</param>
    /// <returns>Values (texts, time) int64, each text's length, and warnings.</returns>
    /// <exception cref="InvalidOperationException">The vocabulary has no <see cref="Tokenizer"/> (it was built from tokens).</exception>
    /// <exception cref="ArgumentException">No texts, or a null text.</exception>
    public PaddedBatch<long[,]> EncodeTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var tokenizer = Tokenizer ?? throw new InvalidOperationException(
            "This vocabulary has no tokenizer settings (it was built from tokens with Vocabulary.Build, or loaded from a file without them), " +
            "so it cannot turn raw text into tokens. Build it with Vocabulary.FromTexts, or attach the settings that produced its tokens with WithTokenizer.");
        var list = texts as IReadOnlyList<string> ?? texts.ToArray();
        if (list.Count == 0) throw new ArgumentException("texts is empty; give at least one text.", nameof(texts));
        var encoded = new long[list.Count][];
        var empty = new List<int>();
        for (var i = 0; i < list.Count; i++)
        {
            var words = tokenizer.Tokenize(list[i] ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts)));
            if (words.Length == 0) empty.Add(i);
            encoded[i] = words.Length == 0 ? [UnknownIndex] : Encode(words);
        }
        var batch = PadSequences.Tokens(encoded, new PaddingOptions { MaxLength = tokenizer.Options.MaxLength });
        if (empty.Count == 0) return batch;
        var named = string.Join(", ", empty.Take(10)) + (empty.Count > 10 ? ", …" : "");
        return batch with { Warnings = [.. batch.Warnings, $"Text(s) {named} have no tokens after tokenization; each is encoded as one {UnknownToken}."] };
    }

    /// <summary>Turns indices back into tokens.</summary>
    /// <param name="indices">Indices in [0, <see cref="Count"/>).</param>
    /// <param name="skipPadding">Leave out <see cref="PaddingIndex"/> (default true).</param>
    /// <returns>The tokens.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public string[] Decode(IEnumerable<long> indices, bool skipPadding = true)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return indices.Where(i => !skipPadding || i != PaddingIndex).Select(i => i >= 0 && i < tokens.Length ? tokens[i]
            : throw new ArgumentOutOfRangeException(nameof(indices), i, $"Index {i} is outside the vocabulary's range 0..{tokens.Length - 1}.")).ToArray();
    }

    /// <summary>The share of a corpus's tokens that map to <see cref="UnknownIndex"/> (0 for an empty corpus).</summary>
    /// <param name="corpus">Token sequences, e.g. the validation texts.</param>
    /// <returns>A fraction in [0, 1].</returns>
    public double UnknownRate(IEnumerable<IEnumerable<string>> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        long total = 0, unknown = 0;
        foreach (var document in corpus)
            foreach (var token in document)
            {
                total++;
                if (!indices.ContainsKey(token)) unknown++;
            }
        return total == 0 ? 0 : (double)unknown / total;
    }

    /// <summary>The vocabulary as JSON.</summary>
    /// <returns>The JSON text.</returns>
    /// <remarks>
    /// Format version 1 holds the tokens; version 2, written when there is a <see cref="Tokenizer"/>, adds its
    /// settings. A vocabulary without a tokenizer is written as version 1, byte for byte as before.
    /// </remarks>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = Tokenizer is null ? 1 : 2,
        };
        if (Tokenizer is not null) json["tokenizer"] = Tokenizer.ToJson();
        json["tokens"] = new JsonArray(tokens.Skip(2).Select(t => (JsonNode)t).ToArray());
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Saves <see cref="ToJson"/> to a file, atomically.</summary>
    /// <param name="path">The file to write.</param>
    public void Save(string path)
    {
        var json = ToJson();
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>Reads a vocabulary from <see cref="ToJson"/> text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The vocabulary, with the same indices.</returns>
    /// <exception cref="SequenceKitException">The JSON is not a vocabulary, holds null, duplicate or reserved tokens, or invalid tokenizer settings.</exception>
    public static Vocabulary FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the top level is not a JSON object");
            if (root["format"] is not JsonValue format || format.GetValueKind() != JsonValueKind.String || format.GetValue<string>() != Format)
                throw new JsonException($"'format' is not '{Format}'");
            var version = root["formatVersion"] is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue(out int number) ? number : (int?)null;
            if (version is not (1 or 2))
                throw new JsonException($"format version {root["formatVersion"]?.ToJsonString() ?? "(missing)"} is not supported; this SequenceKit reads versions 1 and 2");
            var tokenizer = version == 2 ? Tokenizer.FromJson(root["tokenizer"]) : null;
            var list = root["tokens"]?.Deserialize<string?[]>() ?? throw new JsonException("'tokens' is missing");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var token in list)
                if (token is null || token is PaddingToken or UnknownToken || !seen.Add(token))
                    throw new JsonException($"token '{token ?? "null"}' is null, reserved or repeated");
            return new Vocabulary([PaddingToken, UnknownToken, .. list!], tokenizer);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new SequenceKitException($"The vocabulary JSON cannot be read: {e.Message}.", e);
        }
    }

    /// <summary>Loads a vocabulary saved with <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="SequenceKitException">The file is not a valid vocabulary.</exception>
    public static Vocabulary Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No vocabulary file at '{path}'.", path);
        return FromJson(File.ReadAllText(path));
    }
}
