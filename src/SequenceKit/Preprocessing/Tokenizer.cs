using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Cuts raw text into tokens by <see cref="TokenizerOptions"/>: lowercase (optional), split into words or at white
/// space, keep the first <see cref="TokenizerOptions.MaxLength"/>. It has no learned state; the same options give the
/// same tokens on every machine. No Unicode normalization is applied.
/// </summary>
public sealed class Tokenizer
{
    /// <summary>Creates a tokenizer.</summary>
    /// <param name="options">The settings; null for the defaults (lowercase, words, no length limit).</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="TokenizerOptions.MaxLength"/> is less than 1, or <see cref="TokenizerOptions.Splitting"/> is not a defined value.</exception>
    public Tokenizer(TokenizerOptions? options = null)
    {
        options ??= new TokenizerOptions();
        if (options.MaxLength is < 1)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength,
                $"TokenizerOptions.MaxLength must be at least 1, or null to keep every token; got {options.MaxLength}.");
        if (!Enum.IsDefined(options.Splitting))
            throw new ArgumentOutOfRangeException(nameof(options), options.Splitting,
                $"TokenizerOptions.Splitting must be Words or Whitespace; got {options.Splitting}.");
        Options = options;
    }

    /// <summary>The settings.</summary>
    public TokenizerOptions Options { get; }

    /// <summary>Cuts one text into tokens.</summary>
    /// <param name="text">The raw text.</param>
    /// <returns>The tokens, at most <see cref="TokenizerOptions.MaxLength"/>; empty when the text has none.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public string[] Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Options.Lowercase) text = text.ToLowerInvariant();
        var limit = Options.MaxLength ?? int.MaxValue;
        if (Options.Splitting == TokenSplitting.Whitespace)
            return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Take(limit).ToArray();

        var tokens = new List<string>();
        var word = new StringBuilder();
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsWordRune(rune))
            {
                word.Append(rune.ToString());
                continue;
            }
            if (word.Length == 0) continue;
            tokens.Add(word.ToString());
            word.Clear();
            if (tokens.Count == limit) return [.. tokens];
        }
        if (word.Length > 0 && tokens.Count < limit) tokens.Add(word.ToString());
        return [.. tokens];
    }

    /// <summary>Cuts every text into tokens, ready for <see cref="Vocabulary.Build"/>.</summary>
    /// <param name="texts">The raw texts.</param>
    /// <returns>One token array per text.</returns>
    /// <exception cref="ArgumentException">A text is null.</exception>
    public string[][] TokenizeAll(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        return texts.Select((text, i) => Tokenize(text ?? throw new ArgumentException($"texts[{i}] is null.", nameof(texts)))).ToArray();
    }

    private static bool IsWordRune(Rune rune) => Rune.IsLetterOrDigit(rune) || Rune.GetUnicodeCategory(rune)
        is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;

    /// <summary>The settings as the JSON object a vocabulary file stores.</summary>
    internal JsonObject ToJson() => new()
    {
        ["lowercase"] = Options.Lowercase,
        ["splitting"] = Options.Splitting.ToString(),
        ["maxLength"] = Options.MaxLength,
    };

    /// <summary>Reads <see cref="ToJson"/>; every property is required and checked.</summary>
    /// <exception cref="JsonException">A property is missing, has the wrong type or an invalid value.</exception>
    internal static Tokenizer FromJson(JsonNode? node)
    {
        if (node is not JsonObject json) throw new JsonException("'tokenizer' is not a JSON object");
        if (json["lowercase"] is not JsonValue lowercase || lowercase.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            throw new JsonException("'tokenizer.lowercase' must be true or false");
        var splittingName = json["splitting"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : null;
        if (splittingName is null || !Enum.GetNames<TokenSplitting>().Contains(splittingName, StringComparer.Ordinal))
            throw new JsonException($"'tokenizer.splitting' must be one of {string.Join(", ", Enum.GetNames<TokenSplitting>())}; got {json["splitting"]?.ToJsonString() ?? "nothing"}");
        if (!json.TryGetPropertyValue("maxLength", out var maxLengthNode))
            throw new JsonException("'tokenizer.maxLength' is missing (null means no limit)");
        int? maxLength = null;
        if (maxLengthNode is not null)
        {
            if (maxLengthNode is not JsonValue m || m.GetValueKind() != JsonValueKind.Number || !m.TryGetValue(out int value) || value < 1)
                throw new JsonException($"'tokenizer.maxLength' must be null or an integer of at least 1; got {maxLengthNode.ToJsonString()}");
            maxLength = value;
        }
        return new Tokenizer(new TokenizerOptions
        {
            Lowercase = lowercase.GetValue<bool>(),
            Splitting = Enum.Parse<TokenSplitting>(splittingName),
            MaxLength = maxLength,
        });
    }
}
