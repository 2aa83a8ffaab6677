using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Models;

public class SequenceModelTextTests : TemporaryFolderTest
{
    private static readonly (string Text, string Label)[] Examples =
    [
        ("the cat sleeps on the sofa", "animals"),
        ("a dog barks at the cat", "animals"),
        ("the horse runs in the field", "animals"),
        ("fresh bread and cheese for lunch", "food"),
        ("we cook pasta with tomato sauce", "food"),
        ("sweet apple pie for dinner", "food"),
        ("rain and wind all day", "weather"),
        ("sunny and warm this morning", "weather"),
        ("snow falls on a cold night", "weather"),
    ];

    // Raw strings to classify, and the same strings tokenized by hand (lowercase, words, the first 6).
    private static readonly string[] NewTexts =
    [
        "The CAT sleeps, on the sofa!!",
        "Fresh PASTA, cheese!",
        "cold snow and wind tonight",
        "unknown zebra words",
        "A dog barks at the cat in the rain today",
    ];

    private static readonly string[][] NewTextsByHand =
    [
        ["the", "cat", "sleeps", "on", "the", "sofa"],
        ["fresh", "pasta", "cheese"],
        ["cold", "snow", "and", "wind", "tonight"],
        ["unknown", "zebra", "words"],
        ["a", "dog", "barks", "at", "the", "cat"],
    ];

    [Test]
    public void A_loaded_model_names_raw_strings_as_the_original_model_does()
    {
        var (model, vocabulary, labels) = TrainClassifier(new Dense(3, Activation.Softmax));
        using var original = model;
        original.Vocabulary = vocabulary;
        original.ClassNames = labels.Classes;

        // Expected labels from the original model on hand-encoded, hand-padded tokens: no tokenizer, file or load path.
        using var tokens = tensor(Pad(NewTextsByHand.Select(words => words.Select(w => vocabulary[w]).ToArray()).ToArray(), out var lengths));
        using var lengthTensor = tensor(lengths);
        original.eval();
        string[] expected;
        using (no_grad())
        using (var output = original.forward(tokens, lengthTensor))
            expected = labels.InverseTransform(output.argmax(1).data<long>().ToArray());
        Assert.That(expected[..3], Is.EqualTo(new[] { "animals", "food", "weather" }), "the classifier learned the task");

        var path = Path.Combine(Folder, "text.skmodel");
        original.Save(path);
        using var loaded = SequenceModel.Load(path);
        Assert.That(loaded.PredictLabels(NewTexts), Is.EqualTo(expected));
        Assert.That(original.PredictLabels(NewTexts), Is.EqualTo(expected));
        Assert.That(loaded.PredictLabels(NewTexts, batchSize: 2), Is.EqualTo(expected), "batches of 2 give the same labels");
        Assert.That(loaded.ClassNames, Is.EqualTo(new[] { "animals", "food", "weather" }));
        Assert.That(loaded.Vocabulary!.Tokens, Is.EqualTo(vocabulary.Tokens));
    }

    [Test]
    public void Raw_text_predictions_agree_with_trainer_predict_on_the_encoded_texts()
    {
        var (model, vocabulary, labels) = TrainClassifier(new Dense(3, Activation.Softmax));
        using var _ = model;
        model.Vocabulary = vocabulary;
        var batch = vocabulary.EncodeTexts(NewTexts);
        using var values = batch.ValuesTensor();
        using var lengths = batch.LengthsTensor();
        using var expected = Trainer.Predict(model, values, lengths);          // (5, 3)

        model.train();
        var probabilities = model.PredictProbabilities(NewTexts);
        Assert.That(model.training, Is.True, "the training mode is restored");
        using var actual = tensor(probabilities);
        AssertClose(expected, actual, 1e-6);
        Assert.That(model.PredictClasses(NewTexts), Is.EqualTo(expected.argmax(1).data<long>().ToArray().Select(c => (int)c)));
        for (var row = 0; row < NewTexts.Length; row++)
            Assert.That(Enumerable.Range(0, 3).Sum(c => probabilities[row, c]), Is.EqualTo(1).Within(1e-5));
    }

    [TestCase(3, Activation.Softmax)]
    [TestCase(3, Activation.None)]
    [TestCase(1, Activation.Sigmoid)]
    [TestCase(1, Activation.None)]
    public void Probabilities_and_classes_follow_the_output_activation(int units, Activation activation)
    {
        var vocabulary = Vocabulary.FromTexts(Examples.Select(e => e.Text));
        using var model = new SequenceModel(Seeded(3), new Embedding(vocabulary.Count, 4), new Gru(5), new Dense(units, activation)) { Vocabulary = vocabulary };
        var batch = vocabulary.EncodeTexts(NewTexts);
        using var values = batch.ValuesTensor();
        using var lengths = batch.LengthsTensor();
        using var output = Trainer.Predict(model, values, lengths);             // (5, units)
        var raw = output.data<float>().ToArray();

        var probabilities = model.PredictProbabilities(NewTexts);
        var classes = model.PredictClasses(NewTexts);
        Assert.That(probabilities.GetLength(1), Is.EqualTo(units == 1 ? 2 : 3));
        for (var row = 0; row < NewTexts.Length; row++)
        {
            // Hand formulas: a sigmoid unit is p; a logit unit is 1 / (1 + e^−z); k logits are softmaxed; softmax is taken as is.
            double[] expected;
            long expectedClass;
            if (units == 1)
            {
                var p = activation == Activation.Sigmoid ? raw[row] : 1 / (1 + Math.Exp(-raw[row]));
                expected = [1 - p, p];
                expectedClass = raw[row] > (activation == Activation.Sigmoid ? 0.5 : 0.0) ? 1 : 0;
            }
            else
            {
                var rowValues = raw.Skip(3 * row).Take(3).ToArray();
                expected = activation == Activation.Softmax ? rowValues.Select(v => (double)v).ToArray() : Softmax(rowValues);
                expectedClass = Array.IndexOf(rowValues, rowValues.Max());
            }
            Assert.That(Enumerable.Range(0, expected.Length).Select(c => (double)probabilities[row, c]), Is.EqualTo(expected).Within(1e-5), $"row {row}");
            Assert.That(classes[row], Is.EqualTo(expectedClass), $"row {row}");
        }
    }

    [Test]
    public void Tokenizer_settings_travel_with_the_model()
    {
        var settings = new TokenizerOptions { Lowercase = false, Splitting = TokenSplitting.Whitespace, MaxLength = 3 };
        var vocabulary = Vocabulary.FromTexts(["the cat sat", "the Cat ran"], settings);   // the=2 cat=3 sat=4 Cat=5 ran=6
        using (var model = new SequenceModel(Seeded(), new Embedding(vocabulary.Count + 4, 4), new Lstm(3), new Dense(2)))
        {
            model.Vocabulary = vocabulary;                                       // a larger Embedding is fine
            model.ClassNames = ["no", "yes"];
            model.Save(Path.Combine(Folder, "m.skmodel"));
        }
        using var loaded = SequenceModel.Load(Path.Combine(Folder, "m.skmodel"));
        Assert.That(loaded.Vocabulary!.Tokenizer!.Options, Is.EqualTo(settings));
        // Case kept ("THE" is unknown), punctuation kept ("cat!" is unknown), cut after 3 tokens.
        Assert.That(loaded.Vocabulary.EncodeTexts(["THE cat! sat now", "Cat"]).Values, Is.EqualTo(new long[,] { { 1, 1, 4 }, { 5, 0, 0 } }));
        Assert.That(loaded.PredictLabels(["THE cat! sat now"]), Has.Length.EqualTo(1).And.All.AnyOf("no", "yes"));
    }

    [Test]
    public void Predictions_without_vocabulary_tokenizer_or_class_names_say_what_to_set()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(20, 4), new Gru(3), new Dense(2));
        Assert.That(Assert.Throws<InvalidOperationException>(() => model.PredictClasses(["a b"]))!.Message,
            Does.Contain("no Vocabulary").And.Contain("Vocabulary.FromTexts"));
        model.Vocabulary = Vocabulary.Build([["a", "b"]]);
        Assert.That(Assert.Throws<InvalidOperationException>(() => model.PredictClasses(["a b"]))!.Message,
            Does.Contain("no tokenizer settings").And.Contain("WithTokenizer"));
        model.Vocabulary = model.Vocabulary.WithTokenizer(new TokenizerOptions());
        Assert.That(model.PredictClasses(["a b", "b"]), Has.Length.EqualTo(2));
        Assert.That(Assert.Throws<InvalidOperationException>(() => model.PredictLabels(["a b"]))!.Message,
            Does.Contain("no ClassNames").And.Contain("labelEncoder.Classes").And.Contain("PredictClasses"));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.PredictClasses(["a"], batchSize: 0));
        Assert.That(Assert.Throws<ArgumentException>(() => model.PredictClasses([]))!.Message, Does.Contain("texts is empty"));
    }

    [Test]
    public void Vocabulary_and_class_names_that_do_not_fit_the_model_are_refused()
    {
        var vocabulary = Vocabulary.FromTexts(Examples.Select(e => e.Text));
        using var small = new SequenceModel(Seeded(), new Embedding(5, 4), new Gru(3), new Dense(3, Activation.Softmax));
        var error = Assert.Throws<ArgumentException>(() => small.Vocabulary = vocabulary)!;
        Assert.That(error.Message, Does.Contain($"has {vocabulary.Count} entries").And.Contain("vocabulary size 5").And.Contain("new Embedding(vocabulary.Count"));
        Assert.That(small.Vocabulary, Is.Null);

        using var series = new SequenceModel(Seeded(), Input.Sequence(2), new Gru(3), new Dense(2));
        Assert.That(Assert.Throws<ArgumentException>(() => series.Vocabulary = vocabulary)!.Message, Does.Contain("first layer is an Embedding"));

        Assert.That(Assert.Throws<ArgumentException>(() => small.ClassNames = ["a", "b"])!.Message,
            Does.Contain("ClassNames has 2 name(s), but the model's output has 3 unit(s)"));
        Assert.That(Assert.Throws<ArgumentException>(() => small.ClassNames = ["a", "b", "a"])!.Message, Does.Contain("ClassNames[2] = 'a' repeats ClassNames[0]"));
        Assert.That(Assert.Throws<ArgumentException>(() => small.ClassNames = ["a", null!, "c"])!.Message, Does.Contain("ClassNames[1] is null"));
        Assert.That(small.ClassNames, Is.Null);
        using var binary = new SequenceModel(Seeded(), new Embedding(30, 4), new Gru(3), new Dense(1, Activation.Sigmoid));
        Assert.That(Assert.Throws<ArgumentException>(() => binary.ClassNames = ["yes"])!.Message, Does.Contain("predicts 2 classes"));

        var names = new List<string> { "x", "y", "z" };
        small.ClassNames = names;
        names[0] = "changed";
        Assert.That(small.ClassNames, Is.EqualTo(new[] { "x", "y", "z" }), "the names are copied");
    }

    [Test]
    public void Models_that_do_not_classify_one_vector_per_text_are_refused()
    {
        var vocabulary = Vocabulary.FromTexts(["a b c"]);
        using var tagger = new SequenceModel(Seeded(), new Embedding(vocabulary.Count, 4), new Lstm(3, new RecurrentOptions { ReturnSequences = true }), new Dense(3)) { Vocabulary = vocabulary };
        Assert.That(Assert.Throws<InvalidOperationException>(() => tagger.PredictClasses(["a b"]))!.Message,
            Does.Contain("one vector per text").And.Contain("ReturnSequences = false"));
        using var relu = new SequenceModel(Seeded(), new Embedding(vocabulary.Count, 4), new Gru(3), new Dense(3, Activation.Relu)) { Vocabulary = vocabulary };
        Assert.That(Assert.Throws<InvalidOperationException>(() => relu.PredictProbabilities(["a"]))!.Message, Does.Contain("Dense(3, Relu)"));
    }

    [Test]
    public void An_empty_text_is_classified_as_one_unknown_token()
    {
        var (model, vocabulary, labels) = TrainClassifier(new Dense(3, Activation.Softmax));
        using var _ = model;
        model.Vocabulary = vocabulary;
        model.ClassNames = labels.Classes;
        using var unknown = tensor(new long[,] { { Vocabulary.UnknownIndex } });
        using var expected = Trainer.Predict(model, unknown);
        Assert.That(model.PredictLabels(["", "?!"]), Is.EqualTo(Enumerable.Repeat(labels.Classes[(int)expected.argmax(1).item<long>()], 2)));
    }

    /// <summary>An Embedding → Lstm → <paramref name="head"/> classifier trained for 60 full-batch Adam steps on <see cref="Examples"/>.</summary>
    private static (SequenceModel Model, Vocabulary Vocabulary, LabelEncoder<string> Labels) TrainClassifier(Dense head)
    {
        var vocabulary = Vocabulary.FromTexts(Examples.Select(e => e.Text), new TokenizerOptions { MaxLength = 6 });
        var labels = new LabelEncoder<string>();
        var targets = labels.FitTransform(Examples.Select(e => e.Label));
        var model = new SequenceModel(Seeded(11), new Embedding(vocabulary.Count, 8), new Lstm(12), head);
        var batch = vocabulary.EncodeTexts(Examples.Select(e => e.Text));
        using var x = batch.ValuesTensor();
        using var lengths = batch.LengthsTensor();
        using var y = tensor(targets);
        using var optimizer = optim.Adam(model.parameters(), lr: 0.05);
        model.train();
        for (var step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.nll_loss(model.forward(x, lengths).clamp_min(1e-7).log(), y);
            loss.backward();
            optimizer.step();
        }
        model.eval();
        return (model, vocabulary, labels);
    }

    private static long[,] Pad(long[][] rows, out long[] lengths)
    {
        var width = rows.Max(r => r.Length);
        var padded = new long[rows.Length, width];
        lengths = rows.Select(r => (long)r.Length).ToArray();
        for (var i = 0; i < rows.Length; i++)
            for (var t = 0; t < rows[i].Length; t++) padded[i, t] = rows[i][t];
        return padded;
    }

    private static double[] Softmax(IEnumerable<float> logits)
    {
        var z = logits.Select(v => (double)v).ToArray();
        var max = z.Max();
        var e = z.Select(v => Math.Exp(v - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }
}
