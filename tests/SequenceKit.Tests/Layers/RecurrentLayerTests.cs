using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

public class RecurrentLayerTests
{
    public enum Cell { SimpleRnn, Lstm, Gru }

    private static RecurrentLayer Create(Cell cell, long units, bool bidirectional = false, bool returnSequences = false, int layers = 1) => cell switch
    {
        Cell.SimpleRnn => new SimpleRnn(units, new SimpleRnnOptions { Bidirectional = bidirectional, ReturnSequences = returnSequences, Layers = layers }),
        Cell.Lstm => new Lstm(units, new RecurrentOptions { Bidirectional = bidirectional, ReturnSequences = returnSequences, Layers = layers }),
        _ => new Gru(units, new RecurrentOptions { Bidirectional = bidirectional, ReturnSequences = returnSequences, Layers = layers }),
    };

    private static nn.Module Reference(Cell cell, long input, long units, bool bidirectional, int layers) => cell switch
    {
        Cell.SimpleRnn => nn.RNN(input, units, numLayers: layers, bidirectional: bidirectional, batchFirst: true),
        Cell.Lstm => nn.LSTM(input, units, numLayers: layers, bidirectional: bidirectional, batchFirst: true),
        _ => nn.GRU(input, units, numLayers: layers, bidirectional: bidirectional, batchFirst: true),
    };

    [Test]
    public void Output_shapes_follow_units_directions_and_return_sequences(
        [Values] Cell cell, [Values] bool bidirectional, [Values] bool returnSequences)
    {
        using var model = new SequenceModel(Seeded(), Input.Sequence(5), Create(cell, 7, bidirectional, returnSequences, layers: 2));
        using var x = Normal(1, 3, 4, 5);
        using var y = model.forward(x);
        var features = bidirectional ? 14 : 7;
        Assert.That(y.shape, Is.EqualTo(returnSequences ? new long[] { 3, 4, features } : new long[] { 3, features }));
        Assert.That(model.OutputShape, Is.EqualTo(returnSequences ? LayerShape.Sequence(features) : LayerShape.Vector(features)));
    }

    [Test]
    public void Parameter_count_equals_TorchSharps_for_the_same_module(
        [Values] Cell cell, [Values] bool bidirectional, [Values(1, 3)] int layers)
    {
        using var model = new SequenceModel(Seeded(), Input.Sequence(6), Create(cell, 9, bidirectional, layers: layers));
        using var reference = Reference(cell, 6, 9, bidirectional, layers);
        Assert.That(model.ParameterCount, Is.EqualTo(reference.parameters().Sum(p => p.numel())));
    }

    [TestCase(Cell.SimpleRnn, 1)]
    [TestCase(Cell.Lstm, 4)]
    [TestCase(Cell.Gru, 3)]
    public void Parameter_count_matches_the_gate_formula_with_two_bias_vectors(Cell cell, int gates)
    {
        // PyTorch layout: gates·units·(input + units) weights + 2·gates·units biases (Keras has one bias vector).
        const long input = 64, units = 128;
        using var model = new SequenceModel(Seeded(), Input.Sequence(input), Create(cell, units));
        Assert.That(model.ParameterCount, Is.EqualTo(gates * units * (input + units) + 2 * gates * units));
    }

    [Test]
    public void Last_step_output_is_the_sequence_output_at_the_last_step(
        [Values] Cell cell, [Values] bool bidirectional)
    {
        // Same seed, same construction order: both models get identical weights.
        using var last = new SequenceModel(Seeded(7), Input.Sequence(3), Create(cell, 4, bidirectional));
        using var sequence = new SequenceModel(Seeded(7), Input.Sequence(3), Create(cell, 4, bidirectional, returnSequences: true));
        using var x = Normal(2, 2, 5, 3);
        using var y = last.forward(x);
        using var all = sequence.forward(x);                                   // (B, T, dirs·H)
        var expected = bidirectional
            ? cat(new[] { all[.., -1, ..4], all[.., 0, 4..] }, dim: -1)         // forward's last step, backward's first
            : all[.., -1, ..];
        AssertClose(expected, y);
    }

    [Test]
    public void Padded_batch_with_lengths_gives_each_sequence_its_unpadded_output(
        [Values] Cell cell, [Values] bool bidirectional, [Values] bool returnSequences)
    {
        using var model = new SequenceModel(Seeded(3), Input.Sequence(3), Create(cell, 5, bidirectional, returnSequences, layers: 2));
        long[] lengths = [6, 2, 4];
        using var padded = Normal(4, 3, 6, 3) * 10;        // padding positions hold large garbage, not zeros
        using var lengthTensor = tensor(lengths);
        using var batchOutput = model.forward(padded, lengthTensor);
        for (var i = 0; i < lengths.Length; i++)
        {
            using var alone = padded[i..(i + 1), ..(int)lengths[i], ..];      // (1, len, F), no padding at all
            using var expected = model.forward(alone);
            if (returnSequences)
            {
                AssertClose(expected[0], batchOutput[i, ..(int)lengths[i], ..]);
                if (lengths[i] < 6)
                    Assert.That(batchOutput[i, (int)lengths[i].., ..].abs().max().item<float>(), Is.EqualTo(0f), "padded steps are zero");
            }
            else
            {
                AssertClose(expected[0], batchOutput[i]);
            }
        }
    }

    [Test]
    public void Stacked_layers_feed_each_other_and_dropout_is_inactive_in_eval_mode([Values] Cell cell)
    {
        var options = new RecurrentOptions { Layers = 2, Dropout = 0.5 };
        RecurrentLayer layer = cell switch
        {
            Cell.SimpleRnn => new SimpleRnn(4, new SimpleRnnOptions { Layers = 2, Dropout = 0.5 }),
            Cell.Lstm => new Lstm(4, options),
            _ => new Gru(4, options),
        };
        using var model = new SequenceModel(Seeded(), Input.Sequence(3), layer);
        using var x = Normal(9, 2, 5, 3);
        model.eval();
        AssertClose(model.forward(x), model.forward(x), 0);
        model.train();
        var differs = Enumerable.Range(0, 5).Any(_ => (model.forward(x) - model.forward(x)).abs().max().item<float>() > 0);
        Assert.That(differs, Is.True, "dropout between stacked layers should perturb training-mode outputs");
    }

    [Test]
    public void SimpleRnn_relu_differs_from_tanh_and_keeps_its_option()
    {
        var relu = new SimpleRnn(4, new SimpleRnnOptions { Activation = SimpleRnnActivation.Relu, ReturnSequences = true });
        using var reluModel = new SequenceModel(Seeded(5), Input.Sequence(2), relu);
        using var tanhModel = new SequenceModel(Seeded(5), Input.Sequence(2), new SimpleRnn(4, new SimpleRnnOptions { ReturnSequences = true }));
        using var x = Normal(6, 2, 3, 2);
        using var reluOut = reluModel.forward(x);
        Assert.That(reluOut.min().item<float>(), Is.GreaterThanOrEqualTo(0f), "ReLU outputs are never negative");
        Assert.That(tanhModel.forward(x).min().item<float>(), Is.LessThan(0f));
        Assert.That(relu.Options.Activation, Is.EqualTo(SimpleRnnActivation.Relu));
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void Non_positive_units_are_rejected_with_name_and_value(long units)
    {
        foreach (var create in new Func<object>[] { () => new Lstm(units), () => new Gru(units), () => new SimpleRnn(units) })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => create())!;
            Assert.That(error.ParamName, Is.EqualTo("units"));
            Assert.That(error.ActualValue, Is.EqualTo(units));
        }
    }

    [TestCase(-0.1)]
    [TestCase(1.0)]
    [TestCase(double.NaN)]
    public void Dropout_outside_zero_to_one_is_rejected(double dropout)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(4, new RecurrentOptions { Layers = 2, Dropout = dropout }))!;
        Assert.That(error.ParamName, Is.EqualTo("Dropout"));
        Assert.That(error.Message, Does.Contain("[0, 1)"));
    }

    [Test]
    public void Dropout_with_a_single_layer_is_rejected_because_it_would_do_nothing()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(4, new RecurrentOptions { Dropout = 0.2 }))!;
        Assert.That(error.Message, Does.Contain("Layers = 1").And.Contain("Dropout layer"));
    }

    [Test]
    public void Zero_stacked_layers_are_rejected()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleRnn(4, new SimpleRnnOptions { Layers = 0 }))!;
        Assert.That(error.ParamName, Is.EqualTo("Layers"));
        Assert.That(error.ActualValue, Is.EqualTo(0));
    }
}
