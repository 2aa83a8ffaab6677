using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Optimizers;
using Linear = TorchSharp.Modules.Linear;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Reference;

/// <summary>
/// Losses at extreme logits against PyTorch 1.13 (torch_reference.json, "losses"): a softmax or sigmoid Dense is scored
/// from its logits (log-softmax / log-sigmoid), so the loss is not capped and a confidently wrong model still learns.
/// </summary>
public class LossReferenceTests
{
    private static SequenceModel IdentityDense(int units, Activation activation)
    {
        var dense = new Dense(units, activation);
        var model = new SequenceModel(TestData.Seeded(), Input.Vector(units), dense);
        var linear = (Linear)dense.Module!;
        using (no_grad())
        {
            linear.weight!.copy_(eye(units));
            linear.bias!.zero_();
        }
        return model;
    }

    private static float[] Flat(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.detach().cpu().to(ScalarType.Float32).data<float>().ToArray();
    }

    [Test]
    public void Cross_entropy_on_a_softmax_dense_equals_torch_from_logits_and_its_sgd_step()
    {
        var c = ReferenceData.Torch["losses"]!["cross_entropy_softmax"]!;
        using var model = IdentityDense(4, Activation.Softmax);
        using var inputs = tensor(ReferenceData.Matrix(c["inputs"]));
        using var labels = tensor(c["labels"]!.AsArray().Select(v => (long)v!).ToArray());
        using var data = new SequenceDataset(inputs, labels);
        var options = new TrainerOptions { Loss = new CrossEntropyLoss(), Optimizer = new Sgd { LearningRate = 0.01 }, Epochs = 1, BatchSize = 3, Shuffle = false };

        var expected = (double)c["loss"]!;                       // torch: mean of 232.6, 3.74, 100.0
        var loss = Trainer.Evaluate(model, data, options)["loss"];
        Assert.That(loss, Is.EqualTo(expected).Within(1e-5 * expected), "relative 1e-5 (float32)");
        Assert.That(ReferenceData.Doubles(c["per_sample"])[0], Is.EqualTo(232.6).Within(0.05), "the issue's example, as torch computes it");
        TestContext.Out.WriteLine($"cross-entropy: torch {expected:G7}, SequenceKit {loss:G7}");

        using (var probabilities = Trainer.Predict(model, inputs))
            Assert.That(Flat(probabilities.sum(-1)), Is.All.EqualTo(1f).Within(1e-6f), "Predict still returns probabilities");

        var history = Trainer.Fit(model, data, null, options);
        Assert.That(history.Epochs[0].Metrics["loss"], Is.EqualTo(expected).Within(1e-5 * expected));
        var linear = (Linear)model.Layers[1].Module!;
        Assert.That(Flat(linear.weight!), Is.EqualTo(ReferenceData.Rows(c["weight_after"]).SelectMany(r => r).Select(v => (float)v)).Within(1e-5f),
            "the gradient of the uncapped loss: weights after one SGD step, to 1e-5");
        Assert.That(Flat(linear.bias!), Is.EqualTo(ReferenceData.Doubles(c["bias_after"]).Select(v => (float)v)).Within(1e-5f));
    }

    [Test]
    public void Binary_cross_entropy_on_a_sigmoid_dense_equals_torch_from_logits_and_its_sgd_step()
    {
        var c = ReferenceData.Torch["losses"]!["binary_cross_entropy_sigmoid"]!;
        using var model = IdentityDense(2, Activation.Sigmoid);
        using var inputs = tensor(ReferenceData.Matrix(c["inputs"]));
        using var targets = tensor(ReferenceData.Matrix(c["targets"]));
        using var data = new SequenceDataset(inputs, targets);
        var options = new TrainerOptions { Loss = new BinaryCrossEntropyLoss(), Optimizer = new Sgd { LearningRate = 0.01 }, Epochs = 1, BatchSize = 4, Shuffle = false };

        var expected = (double)c["loss"]!;
        var loss = Trainer.Evaluate(model, data, options)["loss"];
        Assert.That(loss, Is.EqualTo(expected).Within(1e-5 * expected), "relative 1e-5 (float32); capped probabilities gave 7.19");
        TestContext.Out.WriteLine($"binary cross-entropy: torch {expected:G7}, SequenceKit {loss:G7}");

        Trainer.Fit(model, data, null, options);
        var linear = (Linear)model.Layers[1].Module!;
        Assert.That(Flat(linear.weight!), Is.EqualTo(ReferenceData.Rows(c["weight_after"]).SelectMany(r => r).Select(v => (float)v)).Within(1e-5f));
        Assert.That(Flat(linear.bias!), Is.EqualTo(ReferenceData.Doubles(c["bias_after"]).Select(v => (float)v)).Within(1e-5f));
    }

    [Test]
    public void Regression_losses_equal_torch()
    {
        var c = ReferenceData.Torch["losses"]!["regression"]!;
        using var output = tensor(ReferenceData.Matrix(c["output"]));
        using var target = tensor(ReferenceData.Matrix(c["target"]));
        var setup = new LossSetup(Activation.None, LayerShape.Vector(3), ScalarType.Float32, [3], -1e3, 1, false, null);
        double Of(ILoss loss) { using var v = loss.Compute(output, target, setup, null); return v.item<float>(); }
        Assert.Multiple(() =>
        {
            // Relative 1e-6: float32 sums of terms up to 4e6.
            Assert.That(Of(new MeanSquaredErrorLoss()), Is.EqualTo((double)c["mse"]!).Within(1e-6 * (double)c["mse"]!));
            Assert.That(Of(new MeanAbsoluteErrorLoss()), Is.EqualTo((double)c["mae"]!).Within(1e-6 * (double)c["mae"]!));
            Assert.That(Of(new HuberLoss(1)), Is.EqualTo((double)c["huber_1"]!).Within(1e-6 * (double)c["huber_1"]!));
            Assert.That(Of(new HuberLoss(0.5)), Is.EqualTo((double)c["huber_0_5"]!).Within(1e-6 * (double)c["huber_0_5"]!));
        });
    }
}
