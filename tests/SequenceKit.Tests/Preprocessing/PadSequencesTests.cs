using Microsoft.Extensions.Logging;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Tests.Backends;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Preprocessing;

public class PadSequencesTests
{
    private static readonly long[][] Ragged = [[1, 2, 3], [4], [5, 6, 7, 8, 9]];

    [Test]
    public void Post_pads_to_the_longest_with_lengths()
    {
        var batch = PadSequences.Tokens(Ragged);
        Assert.That(batch.Values, Is.EqualTo(new long[,] { { 1, 2, 3, 0, 0 }, { 4, 0, 0, 0, 0 }, { 5, 6, 7, 8, 9 } }));
        Assert.That(batch.Lengths, Is.EqualTo(new long[] { 3, 1, 5 }));
        Assert.That(batch.Warnings, Is.Empty);
    }

    [Test]
    public void Pre_padding_and_each_truncation_side()
    {
        var pre = PadSequences.Tokens(Ragged, new PaddingOptions { MaxLength = 4, Padding = PaddingSide.Pre, Truncating = PaddingSide.Post, PadValue = 0 });
        Assert.That(pre.Values, Is.EqualTo(new long[,] { { 0, 1, 2, 3 }, { 0, 0, 0, 4 }, { 5, 6, 7, 8 } }));
        Assert.That(pre.Warnings, Has.One.Contains("Padding = Pre"));
        var keepEnd = PadSequences.Tokens(Ragged, new PaddingOptions { MaxLength = 4 });      // default truncating: Pre
        Assert.That(keepEnd.Values, Is.EqualTo(new long[,] { { 1, 2, 3, 0 }, { 4, 0, 0, 0 }, { 6, 7, 8, 9 } }));
        Assert.That(keepEnd.Lengths, Is.EqualTo(new long[] { 3, 1, 4 }));
    }

    [Test]
    public void Conflicting_choices_are_warned_about_and_logged()
    {
        var logger = new DeviceSelectorTests.ListLogger();
        var batch = PadSequences.Tokens([[3, 0, 4], []], new PaddingOptions { PadValue = -1, Logger = logger });
        Assert.That(batch.Warnings, Has.Some.Contains("PadValue is -1").And.Some.Contains("Sequence(s) 1 are empty"));
        var zeroInside = PadSequences.Tokens([[3, 0, 4]]);
        Assert.That(zeroInside.Warnings, Has.One.Contains("Sequence 0 holds the pad value 0 at position 1"));
        Assert.That(logger.Lines, Has.Count.EqualTo(batch.Warnings.Count).And.All.StartWith(LogLevel.Warning.ToString()));
    }

    [Test]
    public void Float_series_pad_per_feature()
    {
        var batch = PadSequences.Series(new[] { new float[,] { { 1, 10 }, { 2, 20 } }, new float[,] { { 3, 30 } } }, new PaddingOptions { PadValue = -9 });
        Assert.That(batch.Values, Is.EqualTo(new float[,,] { { { 1, 10 }, { 2, 20 } }, { { 3, 30 }, { -9, -9 } } }));
        var univariate = PadSequences.Series(new[] { new float[] { 1, 2, 3 }, new float[] { 4 } });
        Assert.That(univariate.Values, Is.EqualTo(new float[,,] { { { 1 }, { 2 }, { 3 } }, { { 4 }, { 0 }, { 0 } } }));
        Assert.That(univariate.Lengths, Is.EqualTo(new long[] { 3, 1 }));
    }

    [Test]
    public void Padded_tokens_fed_to_a_model_match_the_unpadded_sequences()
    {
        var batch = PadSequences.Tokens(Ragged);
        using var model = new SequenceModel(Seeded(), new Embedding(10, 4), new Lstm(3));
        using var values = batch.ValuesTensor();
        using var output = model.forward(values);
        using var lengthsTensor = batch.LengthsTensor();
        using var viaLengths = model.forward(values, lengthsTensor);
        for (var i = 0; i < Ragged.Length; i++)
        {
            using var alone = TorchSharp.torch.tensor(Ragged[i]).unsqueeze(0);
            AssertClose(model.forward(alone)[0], output[i]);
            AssertClose(model.forward(alone)[0], viaLengths[i]);
        }
    }

    [Test]
    public void Bad_arguments_are_rejected()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => PadSequences.Tokens(Array.Empty<long[]>()))!.Message, Does.Contain("empty"));
        Assert.That(Assert.Throws<ArgumentException>(() => PadSequences.Tokens([[1], null!]))!.Message, Does.Contain("sequences[1] is null"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => PadSequences.Tokens(Ragged, new PaddingOptions { MaxLength = 0 }))!;
        Assert.That(error.Message, Does.Contain("MaxLength must be positive; got 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => PadSequences.Tokens(Ragged, new PaddingOptions { PadValue = 0.5 }))!.Message, Does.Contain("integer"));
        Assert.That(Assert.Throws<ArgumentException>(() => PadSequences.Series(new[] { new float[1, 2], new float[1, 3] }))!.Message,
            Does.Contain("sequences[1] has 3 features but sequences[0] has 2"));
    }

    [Test]
    public void Only_empty_sequences_without_max_length_give_zero_steps_as_keras()
    {
        // Keras: pad_sequences([[], []]) has shape (2, 0) (maxlen = the longest length, 0).
        var tokens = PadSequences.Tokens(new IReadOnlyList<long>[] { Array.Empty<long>(), Array.Empty<long>() });
        Assert.That((tokens.Values.GetLength(0), tokens.Values.GetLength(1)), Is.EqualTo((2, 0)));
        Assert.That(tokens.Lengths, Is.EqualTo(new long[] { 0, 0 }));
        var series = PadSequences.Series(new[] { Array.Empty<float>() });
        Assert.That(series.Values.GetLength(1), Is.EqualTo(0));
    }
}
