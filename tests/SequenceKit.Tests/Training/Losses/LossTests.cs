using SequenceKit.Layers;
using SequenceKit.Training.Losses;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Training.Losses;

public class LossTests
{
    private static LossSetup Setup(Activation activation, long units, ScalarType targetType, long[] targetShape, Tensor? weights = null,
        double min = 0, double max = 1, bool distributions = false) =>
        new(activation, LayerShape.Vector(units), targetType, targetShape, min, max, distributions, weights);

    [Test]
    public void Cross_entropy_from_logits_equals_from_softmax_probabilities_and_hand_value()
    {
        using var logits = tensor(new float[,] { { 2, 0, -1 }, { 0, 1, 0 } });
        using var labels = tensor(new long[] { 0, 1 });
        var loss = new CrossEntropyLoss();
        var fromLogits = loss.Compute(logits, labels, Setup(Activation.None, 3, ScalarType.Int64, []), null).item<float>();
        var fromProbabilities = loss.Compute(logits.softmax(-1), labels, Setup(Activation.Softmax, 3, ScalarType.Int64, []), null).item<float>();
        // −log softmax: row 0: log(e² + 1 + e⁻¹) − 2; row 1: log(2 + e) − 1.
        var expected = (Math.Log(Math.Exp(2) + 1 + Math.Exp(-1)) - 2 + Math.Log(2 + Math.E) - 1) / 2;
        Assert.That(fromLogits, Is.EqualTo(expected).Within(1e-5));
        Assert.That(fromProbabilities, Is.EqualTo(expected).Within(1e-5), "a softmax output is not softmaxed again");
    }

    [Test]
    public void One_hot_targets_equal_class_indices_and_class_weights_weight_the_mean()
    {
        using var logits = tensor(new float[,] { { 2, 0 }, { 0, 1 }, { 1, 1 } });
        using var labels = tensor(new long[] { 0, 1, 1 });
        using var oneHot = tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 0, 1 } });
        var loss = new CrossEntropyLoss();
        var byIndex = loss.Compute(logits, labels, Setup(Activation.None, 2, ScalarType.Int64, []), null).item<float>();
        var byOneHot = loss.Compute(logits, oneHot, Setup(Activation.None, 2, ScalarType.Float32, [2], distributions: true), null).item<float>();
        Assert.That(byOneHot, Is.EqualTo(byIndex).Within(1e-6));

        using var weights = tensor(new float[] { 3, 1 });
        var weighted = loss.Compute(logits, labels, Setup(Activation.None, 2, ScalarType.Int64, [], weights), null).item<float>();
        var l = new[] { Math.Log(1 + Math.Exp(-2)), Math.Log(1 + Math.Exp(-1)), Math.Log(2) };
        Assert.That(weighted, Is.EqualTo((3 * l[0] + l[1] + l[2]) / 5).Within(1e-5), "Σ w·l / Σ w");
        var weightedOneHot = loss.Compute(logits, oneHot, Setup(Activation.None, 2, ScalarType.Float32, [2], weights, distributions: true), null).item<float>();
        Assert.That(weightedOneHot, Is.EqualTo(weighted).Within(1e-6));
    }

    [Test]
    public void Binary_cross_entropy_with_logits_equals_sigmoid_probabilities()
    {
        using var logits = tensor(new float[,] { { 1.5f }, { -0.5f } });
        using var labels = tensor(new long[] { 1, 0 });
        var loss = new BinaryCrossEntropyLoss();
        var fromLogits = loss.Compute(logits, labels, Setup(Activation.None, 1, ScalarType.Int64, []), null).item<float>();
        var fromSigmoid = loss.Compute(logits.sigmoid(), labels, Setup(Activation.Sigmoid, 1, ScalarType.Int64, []), null).item<float>();
        var expected = (Math.Log(1 + Math.Exp(-1.5)) + Math.Log(1 + Math.Exp(-0.5))) / 2;
        Assert.That(fromLogits, Is.EqualTo(expected).Within(1e-5));
        Assert.That(fromSigmoid, Is.EqualTo(expected).Within(1e-5));
    }

    [Test]
    public void Regression_losses_match_hand_values_and_mask_padded_steps()
    {
        using var output = tensor(new float[,] { { 1, 4 } });
        using var target = tensor(new float[,] { { 0, 1 } });
        var setup = Setup(Activation.None, 2, ScalarType.Float32, [2], min: 0, max: 1);
        Assert.That(new MeanSquaredErrorLoss().Compute(output, target, setup, null).item<float>(), Is.EqualTo(5f));
        Assert.That(new MeanAbsoluteErrorLoss().Compute(output, target, setup, null).item<float>(), Is.EqualTo(2f));
        Assert.That(new HuberLoss(1).Compute(output, target, setup, null).item<float>(), Is.EqualTo((0.5f + 2.5f) / 2));

        using var sequence = tensor(new float[,,] { { { 1 }, { 100 } } });     // (1, 2, 1): step 1 is padding
        using var sequenceTarget = zeros(1, 2, 1);
        using var mask = tensor(new bool[,] { { true, false } });
        var sequenceSetup = new LossSetup(Activation.None, LayerShape.Sequence(1), ScalarType.Float32, [2, 1], 0, 0, false, null);
        Assert.That(new MeanSquaredErrorLoss().Compute(sequence, sequenceTarget, sequenceSetup, mask).item<float>(), Is.EqualTo(1f));
    }
}
