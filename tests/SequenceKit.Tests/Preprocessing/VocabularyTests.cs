using SequenceKit.Preprocessing;

namespace SequenceKit.Tests.Preprocessing;

public class VocabularyTests
{
    private static readonly string[][] Corpus =
    [
        ["the", "cat", "sat"],
        ["the", "dog", "sat", "down"],
        ["a", "cat", "the"],
    ];

    [Test]
    public void Orders_by_frequency_then_first_appearance_after_the_reserved_indices()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        // the ×3; cat ×2 (first at 1), sat ×2 (first at 2); dog, down, a ×1 in order of appearance.
        Assert.That(vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat", "sat", "dog", "down", "a" }));
        Assert.That(vocabulary.Count, Is.EqualTo(8));
        Assert.That(vocabulary["cat"], Is.EqualTo(3));
        Assert.That(vocabulary["zebra"], Is.EqualTo(Vocabulary.UnknownIndex));
    }

    [Test]
    public void Max_size_and_min_frequency_limit_the_entries()
    {
        Assert.That(Vocabulary.Build(Corpus, new VocabularyOptions { MaxSize = 4 }).Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat" }));
        Assert.That(Vocabulary.Build(Corpus, new VocabularyOptions { MinFrequency = 2 }).Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat", "sat" }));
    }

    [Test]
    public void Encodes_decodes_and_reports_the_unknown_rate()
    {
        var vocabulary = Vocabulary.Build(Corpus, new VocabularyOptions { MinFrequency = 2 });
        var encoded = vocabulary.Encode(["the", "dog", "sat"]);
        Assert.That(encoded, Is.EqualTo(new long[] { 2, 1, 4 }));
        Assert.That(vocabulary.Decode([2, 1, 4, 0, 0]), Is.EqualTo(new[] { "the", "<unk>", "sat" }));
        Assert.That(vocabulary.Decode([2, 0], skipPadding: false), Is.EqualTo(new[] { "the", "<pad>" }));
        Assert.That(vocabulary.EncodeAll(Corpus)[1], Is.EqualTo(new long[] { 2, 1, 4, 1 }));
        // 10 tokens, of which dog, down, a are unknown.
        Assert.That(vocabulary.UnknownRate(Corpus), Is.EqualTo(0.3).Within(1e-12));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => vocabulary.Decode([9]))!.Message, Does.Contain("Index 9").And.Contain("0..4"));
    }

    [Test]
    public void Save_and_load_keep_every_index()
    {
        var vocabulary = Vocabulary.Build(Corpus);
        var path = Path.Combine(Path.GetTempPath(), $"sk-vocab-{Guid.NewGuid():N}.json");
        try
        {
            vocabulary.Save(path);
            var loaded = Vocabulary.Load(path);
            Assert.That(loaded.Tokens, Is.EqualTo(vocabulary.Tokens));
            Assert.That(loaded.Encode(Corpus[1]), Is.EqualTo(vocabulary.Encode(Corpus[1])));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void Bad_input_is_rejected()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, new() { MaxSize = 1 }))!.Message, Does.Contain("got 1"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Vocabulary.Build(Corpus, new() { MinFrequency = 0 }))!.Message, Does.Contain("got 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => Vocabulary.Build([["a", null!]]))!.Message, Does.Contain("null token"));
        Assert.That(Assert.Throws<ArgumentException>(() => Vocabulary.Build([["<pad>"]]))!.Message, Does.Contain("reserved token '<pad>'"));
        Assert.That(Assert.Throws<SequenceKitException>(() => Vocabulary.FromJson("{\"format\":\"SequenceKit.Vocabulary\",\"formatVersion\":1,\"tokens\":[\"a\",\"a\"]}"))!.Message,
            Does.Contain("repeated"));
        Assert.Throws<SequenceKitException>(() => Vocabulary.FromJson("[1, 2"));
    }

    private static readonly string[] Texts =
    [
        "The cat sat.",
        "The DOG sat down!",
        "A cat, the end",
    ];

    [Test]
    public void From_texts_tokenizes_and_keeps_the_settings()
    {
        var vocabulary = Vocabulary.FromTexts(Texts);
        // Lowercased words: the ×3; cat ×2, sat ×2; dog, down, a, end ×1 in order of appearance.
        Assert.That(vocabulary.Tokens, Is.EqualTo(new[] { "<pad>", "<unk>", "the", "cat", "sat", "dog", "down", "a", "end" }));
        Assert.That(vocabulary.Tokenizer!.Options, Is.EqualTo(new TokenizerOptions()));
        Assert.That(Vocabulary.Build(Corpus).Tokenizer, Is.Null);
    }

    [Test]
    public void Encode_texts_pads_to_max_length_and_maps_unknown_words()
    {
        var vocabulary = Vocabulary.FromTexts(Texts, new TokenizerOptions { MaxLength = 4 });
        // the=2 cat=3 sat=4 dog=5 down=6 a=7 end=8; "zebra" is unknown (1); the third text is cut after 4 words.
        var batch = vocabulary.EncodeTexts(["The zebra sat", "cat", "the cat sat down the end"]);
        Assert.That(batch.Values, Is.EqualTo(new long[,] { { 2, 1, 4, 0 }, { 3, 0, 0, 0 }, { 2, 3, 4, 6 } }));
        Assert.That(batch.Lengths, Is.EqualTo(new long[] { 3, 1, 4 }));
        Assert.That(batch.Warnings, Is.Empty);
    }

    [Test]
    public void Without_max_length_texts_pad_to_the_longest_and_empty_texts_become_one_unknown_token()
    {
        var vocabulary = Vocabulary.FromTexts(Texts);
        var batch = vocabulary.EncodeTexts(["cat sat", "?!", "the"]);
        Assert.That(batch.Values, Is.EqualTo(new long[,] { { 3, 4 }, { 1, 0 }, { 2, 0 } }));
        Assert.That(batch.Lengths, Is.EqualTo(new long[] { 2, 1, 1 }));
        Assert.That(batch.Warnings, Has.Some.Contains("Text(s) 1 have no tokens after tokenization; each is encoded as one <unk>"));
    }

    [Test]
    public void Encode_texts_needs_tokenizer_settings_and_texts()
    {
        var fromTokens = Vocabulary.Build(Corpus);
        var error = Assert.Throws<InvalidOperationException>(() => fromTokens.EncodeTexts(["the cat"]))!;
        Assert.That(error.Message, Does.Contain("no tokenizer settings").And.Contain("FromTexts").And.Contain("WithTokenizer"));
        var withSettings = fromTokens.WithTokenizer(new TokenizerOptions { Splitting = TokenSplitting.Whitespace });
        Assert.That(withSettings.EncodeTexts(["the cat"]).Values, Is.EqualTo(new long[,] { { 2, 3 } }));
        Assert.That(fromTokens.Tokenizer, Is.Null, "WithTokenizer returns a new vocabulary");
        Assert.That(Assert.Throws<ArgumentException>(() => withSettings.EncodeTexts([]))!.Message, Does.Contain("texts is empty"));
        Assert.That(Assert.Throws<ArgumentException>(() => withSettings.EncodeTexts(["a", null!]))!.Message, Does.Contain("texts[1] is null"));
    }

    [Test]
    public void Json_keeps_tokenizer_settings_in_version_2_and_writes_version_1_without_them()
    {
        var options = new TokenizerOptions { Lowercase = false, Splitting = TokenSplitting.Whitespace, MaxLength = 7 };
        var vocabulary = Vocabulary.FromTexts(Texts, options);
        var json = vocabulary.ToJson();
        Assert.That(json, Does.Contain("\"formatVersion\": 2").And.Contain("\"splitting\": \"Whitespace\""));
        var loaded = Vocabulary.FromJson(json);
        Assert.That(loaded.Tokenizer!.Options, Is.EqualTo(options));
        Assert.That(loaded.Tokens, Is.EqualTo(vocabulary.Tokens));
        Assert.That(Vocabulary.FromJson(Vocabulary.FromTexts(Texts).ToJson()).Tokenizer!.Options.MaxLength, Is.Null);

        var plain = Vocabulary.Build(Corpus).ToJson();
        Assert.That(plain, Does.Contain("\"formatVersion\": 1").And.Not.Contain("tokenizer"));
        Assert.That(Vocabulary.FromJson(plain).Tokenizer, Is.Null);
    }

    [TestCase("\"tokenizer\": { \"lowercase\": true, \"splitting\": \"Sentences\", \"maxLength\": null },", "'tokenizer.splitting' must be one of Words, Whitespace; got \"Sentences\"")]
    [TestCase("\"tokenizer\": { \"lowercase\": true, \"splitting\": \"1\", \"maxLength\": null },", "'tokenizer.splitting' must be one of")]
    [TestCase("\"tokenizer\": { \"lowercase\": true, \"splitting\": \"Words\", \"maxLength\": 0 },", "'tokenizer.maxLength' must be null or an integer of at least 1; got 0")]
    [TestCase("\"tokenizer\": { \"lowercase\": true, \"splitting\": \"Words\" },", "'tokenizer.maxLength' is missing")]
    [TestCase("\"tokenizer\": { \"lowercase\": \"yes\", \"splitting\": \"Words\", \"maxLength\": 3 },", "'tokenizer.lowercase' must be true or false")]
    [TestCase("", "'tokenizer' is not a JSON object")]
    public void Bad_tokenizer_settings_are_named(string tokenizer, string expected)
    {
        var json = "{ \"format\": \"SequenceKit.Vocabulary\", \"formatVersion\": 2, " + tokenizer + " \"tokens\": [\"a\"] }";
        Assert.That(Assert.Throws<SequenceKitException>(() => Vocabulary.FromJson(json))!.Message, Does.Contain(expected));
    }

    [Test]
    public void A_newer_vocabulary_format_is_refused()
    {
        var error = Assert.Throws<SequenceKitException>(() => Vocabulary.FromJson("{ \"format\": \"SequenceKit.Vocabulary\", \"formatVersion\": 3, \"tokens\": [] }"))!;
        Assert.That(error.Message, Does.Contain("format version 3 is not supported").And.Contain("versions 1 and 2"));
    }
}
