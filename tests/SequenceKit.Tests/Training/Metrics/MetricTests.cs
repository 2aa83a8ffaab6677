using SequenceKit.Layers;
using SequenceKit.Training.Metrics;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Training.Metrics;

public class MetricTests
{
    [Test]
    public void Accuracy_reads_logits_probabilities_and_one_hot_alike()
    {
        using var logits = tensor(new float[,] { { 2, 0, 1 }, { 0, 3, 1 }, { 0, 0, 5 }, { 4, 0, 0 } });
        using var labels = tensor(new long[] { 0, 1, 1, 2 });
        using var oneHot = tensor(new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        var accuracy = new Accuracy();
        accuracy.Reset(new MetricSetup(Activation.None, 3));
        accuracy.Update(logits, labels, null);
        Assert.That(accuracy.Result(), Is.EqualTo(0.5));
        accuracy.Reset(new MetricSetup(Activation.Softmax, 3));
        accuracy.Update(logits.softmax(-1), oneHot, null);
        Assert.That(accuracy.Result(), Is.EqualTo(0.5));
        accuracy.Reset(new MetricSetup(Activation.None, 3));
        Assert.That(accuracy.Result(), Is.NaN);
    }

    [Test]
    public void Single_unit_accuracy_thresholds_logits_at_zero_and_sigmoid_at_half()
    {
        using var logits = tensor(new float[,] { { 0.3f }, { -2 }, { 1 } });
        using var labels = tensor(new long[] { 1, 1, 1 });
        var accuracy = new Accuracy();
        accuracy.Reset(new MetricSetup(Activation.None, 1));
        accuracy.Update(logits, labels, null);
        Assert.That(accuracy.Result(), Is.EqualTo(2.0 / 3));
        accuracy.Reset(new MetricSetup(Activation.Sigmoid, 1));
        accuracy.Update(logits.sigmoid(), labels, null);
        Assert.That(accuracy.Result(), Is.EqualTo(2.0 / 3));
    }

    [Test]
    public void Top_k_accuracy_and_masked_sequence_accuracy()
    {
        using var scores = tensor(new float[,] { { 3, 2, 1 }, { 1, 2, 3 } });
        using var labels = tensor(new long[] { 1, 0 });
        var top2 = new TopKAccuracy(2);
        top2.Reset(new MetricSetup(Activation.None, 3));
        top2.Update(scores, labels, null);
        Assert.That(top2.Result(), Is.EqualTo(0.5));
        Assert.That(top2.Name, Is.EqualTo("top_2_accuracy"));

        using var perStep = tensor(new float[,,] { { { 1, 0 }, { 1, 0 } } });     // predicts class 0 at both steps
        using var stepLabels = tensor(new long[,] { { 0, 1 } });
        using var mask = tensor(new bool[,] { { true, false } });                 // step 1 is padding
        var accuracy = new Accuracy();
        accuracy.Reset(new MetricSetup(Activation.None, 2));
        accuracy.Update(perStep, stepLabels, mask);
        Assert.That(accuracy.Result(), Is.EqualTo(1.0));
    }

    [Test]
    public void Confusion_matrix_and_macro_scores_match_hand_computation()
    {
        // actual:    0 0 0 1 1 2
        // predicted: 0 0 1 1 2 2
        using var predicted = nn.functional.one_hot(tensor(new long[] { 0, 0, 1, 1, 2, 2 }), 3).to(ScalarType.Float32);
        using var actual = tensor(new long[] { 0, 0, 0, 1, 1, 2 });
        var matrix = new ConfusionMatrix();
        matrix.Reset(new MetricSetup(Activation.None, 3));
        matrix.Update(predicted, actual, null);
        Assert.That(matrix.Counts, Is.EqualTo(new long[,] { { 2, 1, 0 }, { 0, 1, 1 }, { 0, 0, 1 } }));
        Assert.That(matrix.PerClassAccuracy, Is.EqualTo(new[] { 2.0 / 3, 0.5, 1 }).Within(1e-12));
        Assert.That(matrix.Precision, Is.EqualTo(new[] { 1, 0.5, 0.5 }).Within(1e-12));
        var f1 = new[] { 0.8, 0.5, 2.0 / 3 };
        Assert.That(matrix.F1, Is.EqualTo(f1).Within(1e-12));
        Assert.That(matrix.MacroF1, Is.EqualTo(f1.Average()).Within(1e-12));
        var metric = new MacroRecall();
        metric.Reset(new MetricSetup(Activation.None, 3));
        metric.Update(predicted, actual, null);
        Assert.That(metric.Result(), Is.EqualTo((2.0 / 3 + 0.5 + 1) / 3).Within(1e-12));
    }

    [Test]
    public void Regression_metrics()
    {
        using var output = tensor(new float[,] { { 1, 4 } });
        using var target = tensor(new float[,] { { 0, 1 } });
        var mae = new MeanAbsoluteError();
        var rmse = new RootMeanSquaredError();
        mae.Reset(new MetricSetup(Activation.None, 2));
        rmse.Reset(new MetricSetup(Activation.None, 2));
        mae.Update(output, target, null);
        rmse.Update(output, target, null);
        Assert.That(mae.Result(), Is.EqualTo(2));
        Assert.That(rmse.Result(), Is.EqualTo(Math.Sqrt(5)).Within(1e-12));
    }
}
