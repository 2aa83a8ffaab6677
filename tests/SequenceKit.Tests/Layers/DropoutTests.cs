using SequenceKit.Layers;
using SequenceKit.Models;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

public class DropoutTests
{
    [Test]
    public void Zeroes_and_rescales_in_training_and_passes_through_in_evaluation()
    {
        using var model = new SequenceModel(Seeded(), Input.Sequence(50), new Dropout(0.5));
        using var x = ones(4, 10, 50);
        model.train();
        using var trained = model.forward(x);
        var zeros = trained.eq(0).sum().item<long>();
        Assert.That(zeros, Is.InRange(600, 1400), "about half of 2000 values dropped");
        Assert.That(trained.max().item<float>(), Is.EqualTo(2f), "kept values scaled by 1 / (1 − 0.5)");
        model.eval();
        AssertClose(x, model.forward(x), 0);
    }

    [TestCase(-0.01)]
    [TestCase(1.0)]
    [TestCase(double.PositiveInfinity)]
    public void Rate_outside_zero_to_one_is_rejected(double rate)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(rate))!;
        Assert.That(error.ParamName, Is.EqualTo("rate"));
        Assert.That(error.ActualValue, Is.EqualTo(rate));
    }
}
