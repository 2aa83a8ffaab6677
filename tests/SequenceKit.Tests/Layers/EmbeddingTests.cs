using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

public class EmbeddingTests
{
    [Test]
    public void Maps_tokens_to_vectors_and_padding_to_zero()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(20, 6));
        using var tokens = tensor(new long[,] { { 3, 7, 0 }, { 0, 0, 0 } });
        using var vectors = model.forward(tokens);
        Assert.That(vectors.shape, Is.EqualTo(new long[] { 2, 3, 6 }));
        Assert.That(vectors[0, 2].abs().sum().item<float>(), Is.EqualTo(0f), "token 0 is padding: a zero vector");
        Assert.That(vectors[0, 0].abs().sum().item<float>(), Is.GreaterThan(0f));
        Assert.That(model.ParameterCount, Is.EqualTo(20 * 6));
    }

    [Test]
    public void Padding_row_gets_no_gradient()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(10, 4));
        using var tokens = tensor(new long[,] { { 1, 2, 0, 0 } });
        model.forward(tokens).sum().backward();
        var gradient = model.parameters().Single().grad!;
        Assert.That(gradient[0].abs().sum().item<float>(), Is.EqualTo(0f));
        Assert.That(gradient[1].abs().sum().item<float>(), Is.GreaterThan(0f));
    }

    [Test]
    public void Post_padding_is_masked_so_outputs_equal_the_unpadded_sequences(
        [Values] RecurrentLayerTests.Cell cell, [Values] bool bidirectional)
    {
        RecurrentLayer recurrent = cell switch
        {
            RecurrentLayerTests.Cell.SimpleRnn => new SimpleRnn(5, new SimpleRnnOptions { Bidirectional = bidirectional }),
            RecurrentLayerTests.Cell.Lstm => new Lstm(5, new RecurrentOptions { Bidirectional = bidirectional }),
            _ => new Gru(5, new RecurrentOptions { Bidirectional = bidirectional }),
        };
        using var model = new SequenceModel(Seeded(11), new Embedding(30, 4), recurrent, new Dense(3));
        using var padded = tensor(new long[,] { { 5, 9, 2, 0, 0 }, { 7, 1, 1, 4, 8 }, { 3, 0, 0, 0, 0 } });
        using var output = model.forward(padded);
        long[][] unpadded = [[5, 9, 2], [7, 1, 1, 4, 8], [3]];
        for (var i = 0; i < unpadded.Length; i++)
        {
            using var alone = tensor(unpadded[i]).unsqueeze(0);
            AssertClose(model.forward(alone)[0], output[i]);
        }
    }

    [Test]
    public void Without_masking_padding_is_just_another_token()
    {
        using var model = new SequenceModel(Seeded(11), new Embedding(30, 4, new EmbeddingOptions { MaskZero = false }), new Gru(5));
        using var padded = tensor(new long[,] { { 5, 9, 2, 0, 0 } });
        using var alone = tensor(new long[,] { { 5, 9, 2 } });
        var difference = (model.forward(padded) - model.forward(alone)).abs().max().item<float>();
        Assert.That(difference, Is.GreaterThan(1e-4f));
    }

    [Test]
    public void An_all_padding_sequence_before_a_recurrent_layer_is_reported()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(30, 4), new Lstm(3));
        using var tokens = tensor(new long[,] { { 5, 9 }, { 0, 0 } });
        var error = Assert.Throws<ArgumentException>(() => model.forward(tokens))!;
        Assert.That(error.Message, Does.Contain("Sequence 1").And.Contain("all padding"));
    }

    [TestCase(0, 4, "vocabularySize")]
    [TestCase(-5, 4, "vocabularySize")]
    [TestCase(10, 0, "dimension")]
    public void Non_positive_sizes_are_rejected(long vocabulary, long dimension, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(vocabulary, dimension))!;
        Assert.That(error.ParamName, Is.EqualTo(parameter));
    }
}
