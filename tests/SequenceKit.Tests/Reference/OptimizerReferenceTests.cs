using SequenceKit.Training.Optimizers;
using Parameter = TorchSharp.Modules.Parameter;
using static TorchSharp.torch;

namespace SequenceKit.Tests.Reference;

/// <summary>
/// Three optimizer steps on fixed weights and gradients against PyTorch 1.13 (torch_reference.json, "optimizers"),
/// in float64 so that the comparison is to 1e-12. RmsProp is PyTorch's formula (v = αv + (1 − α)g²,
/// w −= lr·g / (√v + ε)) with Keras' defaults (lr 1e-3, α = Keras' rho 0.9, ε 1e-7).
/// </summary>
public class OptimizerReferenceTests
{
    private static readonly Dictionary<string, IOptimizerFactory> Factories = new()
    {
        ["adam"] = new Adam { LearningRate = 0.1 },
        ["adam_decay"] = new Adam { LearningRate = 0.1, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, WeightDecay = 0.1 },
        ["adamw"] = new AdamW { LearningRate = 0.1 },                        // default weight decay 0.01, as PyTorch
        ["sgd"] = new Sgd { LearningRate = 0.1 },
        ["sgd_momentum"] = new Sgd { LearningRate = 0.1, Momentum = 0.9 },
        ["sgd_nesterov"] = new Sgd { LearningRate = 0.1, Momentum = 0.9, Nesterov = true, WeightDecay = 0.01 },
        ["rmsprop_defaults"] = new RmsProp(),
        ["rmsprop_momentum"] = new RmsProp { LearningRate = 0.01, Momentum = 0.5, WeightDecay = 0.1 },
        ["adagrad"] = new Adagrad { LearningRate = 0.1 },
    };

    public static IEnumerable<TestCaseData> Cases() => Factories.Keys.Select(k => new TestCaseData(k).SetName($"Optimizer_steps_equal_torch_{k}"));

    [TestCaseSource(nameof(Cases))]
    public void Optimizer_steps_equal_torch(string name)
    {
        var reference = ReferenceData.Torch["optimizers"]!;
        var grads = ReferenceData.Rows(reference["grads"]);
        var expected = ReferenceData.Rows(reference["cases"]![name]);
        using var parameter = new Parameter(tensor(ReferenceData.Doubles(reference["w0"]), ScalarType.Float64));
        using var optimizer = Factories[name].Create([parameter]);
        for (var step = 0; step < grads.Length; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            (parameter * tensor(grads[step], ScalarType.Float64)).sum().backward();
            optimizer.step();
            Assert.That(parameter.detach().data<double>().ToArray(), Is.EqualTo(expected[step]).Within(1e-12), $"weights after step {step + 1}");
        }
    }
}
