using SequenceKit.Layers;
using SequenceKit.Models;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

public class DenseTests
{
    [Test]
    public void After_a_full_sequence_it_is_applied_to_every_time_step()
    {
        using var model = new SequenceModel(Seeded(), Input.Sequence(4), new Dense(3));
        using var x = Normal(1, 2, 5, 4);
        using var y = model.forward(x);
        Assert.That(y.shape, Is.EqualTo(new long[] { 2, 5, 3 }));
        var linear = (TorchSharp.Modules.Linear)model.Layers[1].Module!;
        for (var t = 0; t < 5; t++)
            AssertClose(linear.call(x[.., t, ..]), y[.., t, ..]);
        Assert.That(model.ParameterCount, Is.EqualTo(4 * 3 + 3));
    }

    [Test]
    public void Activations_have_their_ranges()
    {
        using var x = Normal(2, 8, 6) * 5;
        using var relu = new SequenceModel(Seeded(), Input.Vector(6), new Dense(4, Activation.Relu));
        using var tanh = new SequenceModel(Seeded(), Input.Vector(6), new Dense(4, Activation.Tanh));
        using var sigmoid = new SequenceModel(Seeded(), Input.Vector(6), new Dense(4, Activation.Sigmoid));
        using var softmax = new SequenceModel(Seeded(), Input.Sequence(6), new Dense(4, Activation.Softmax));
        using var none = new SequenceModel(Seeded(), Input.Vector(6), new Dense(4));
        Assert.That(relu.forward(x).min().item<float>(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(tanh.forward(x).abs().max().item<float>(), Is.LessThanOrEqualTo(1f));
        using var s = sigmoid.forward(x);
        Assert.That(s.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
        Assert.That(s.max().item<float>(), Is.LessThanOrEqualTo(1f));
        using var probabilities = softmax.forward(x.reshape(2, 4, 6));   // (B, T, 4): one distribution per step
        AssertClose(ones(2, 4), probabilities.sum(-1));
        Assert.That(none.forward(x).min().item<float>(), Is.LessThan(0f), "no activation leaves negative logits");
    }

    [Test]
    public void Invalid_arguments_are_rejected()
    {
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(0))!.ParamName, Is.EqualTo("units"));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(3, (Activation)42))!;
        Assert.That(error.ParamName, Is.EqualTo("activation"));
        Assert.That(error.Message, Does.Contain("Softmax").And.Contain("42"));
    }
}
