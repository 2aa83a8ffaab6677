using SequenceKit.Training;
using SequenceKit.Training.Optimizers;
using SequenceKit.Training.Schedulers;
using TorchSharp;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training.Optimizers;

/// <summary>
/// Every optimizer and schedule hyperparameter is checked before TorchSharp sees it: the exception names the property,
/// echoes the value and states the range, Fit applies no step, and the values PyTorch accepts stay accepted.
/// </summary>
public class OptimizerHyperparameterTests
{
    private static IEnumerable<TestCaseData> BadOptimizers()
    {
        yield return Case(new Adam { Beta1 = double.NaN }, "Adam.Beta1", "Beta1", "NaN");
        yield return Case(new Adam { Beta2 = 2 }, "Adam.Beta2", "Beta2", "2");
        yield return Case(new Adam { Beta1 = 1 }, "Adam.Beta1", "Beta1", "1");
        yield return Case(new Adam { Epsilon = double.NaN }, "Adam.Epsilon", "Epsilon", "NaN");
        yield return Case(new Adam { Epsilon = -1e-8 }, "Adam.Epsilon", "Epsilon", "-1E-08");
        yield return Case(new Adam { WeightDecay = double.PositiveInfinity }, "Adam.WeightDecay", "WeightDecay", "Infinity");
        yield return Case(new AdamW { Beta2 = double.NaN }, "AdamW.Beta2", "Beta2", "NaN");
        yield return Case(new AdamW { Epsilon = double.PositiveInfinity }, "AdamW.Epsilon", "Epsilon", "Infinity");
        yield return Case(new RmsProp { Alpha = double.NaN }, "RmsProp.Alpha", "Alpha", "NaN");
        yield return Case(new RmsProp { Alpha = 1.5 }, "RmsProp.Alpha", "Alpha", "1.5");
        yield return Case(new RmsProp { Momentum = -0.1 }, "RmsProp.Momentum", "Momentum", "-0.1");
        yield return Case(new Sgd { Momentum = 1 }, "Sgd.Momentum", "Momentum", "1");
        yield return Case(new Sgd { LearningRate = double.NaN }, "Sgd.LearningRate", "LearningRate", "NaN");
        yield return Case(new Adagrad { WeightDecay = -1 }, "Adagrad.WeightDecay", "WeightDecay", "-1");
        yield return Case(new CustomOptimizer(double.NaN, p => torch.optim.Adam(p, 1e-3)), "CustomOptimizer.LearningRate", "LearningRate", "NaN");

        static TestCaseData Case(IOptimizerFactory optimizer, string property, string paramName, string value) =>
            new TestCaseData(optimizer, property, paramName, value).SetName($"Fit refuses {property} = {value}");
    }

    [TestCaseSource(nameof(BadOptimizers))]
    public void A_bad_hyperparameter_is_refused_with_its_name_value_and_range_before_any_step(IOptimizerFactory optimizer, string property, string paramName, string value)
    {
        using var data = Dataset(16, 1);
        using var model = Model();
        var before = Weights(model);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, data, null, Options(1) with { Optimizer = optimizer }))!;
        Assert.That(error.Message, Does.Contain(property).And.Contain($"got {value}").And.Contain("must be"));
        Assert.That(error.ParamName, Is.EqualTo(paramName));
        Assert.That(Weights(model), Is.EqualTo(before), "no optimizer step was applied");
    }

    [Test]
    public void The_boundary_values_PyTorch_accepts_are_accepted()
    {
        using var model = Model();
        // PyTorch: 0 <= beta < 1, 0 <= eps, 0 <= weight_decay, 0 <= alpha (here also <= 1), 0 <= momentum.
        IOptimizerFactory[] legal =
        [
            new Adam { Beta1 = 0, Beta2 = 0, Epsilon = 0 },
            new AdamW { Beta1 = 0, WeightDecay = 0 },
            new RmsProp { Alpha = 0, Epsilon = 0 },
            new RmsProp { Alpha = 1, Momentum = 0.99 },
            new Sgd { Momentum = 0.999, Nesterov = true },
        ];
        foreach (var factory in legal)
            Assert.DoesNotThrow(() => factory.Create(model.parameters()).Dispose(), factory.GetType().Name);
    }

    [Test]
    public void A_user_factory_with_a_non_finite_learning_rate_is_refused_when_Fit_starts()
    {
        using var data = Dataset(16, 1);
        using var model = Model();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, data, null, Options(1) with { Optimizer = new RateOnly(double.PositiveInfinity) }))!;
        Assert.That(error.Message, Does.Contain("RateOnly.LearningRate").And.Contain("Infinity"));
    }

    [Test]
    public void Infinite_clipping_limits_are_refused()
    {
        using var data = Dataset(16, 1);
        using var model = Model();
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, data, null, Options(1) with { ClipGradientNorm = double.PositiveInfinity }))!.Message,
            Does.Contain("TrainerOptions.ClipGradientNorm").And.Contain("finite"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => Trainer.Fit(model, data, null, Options(1) with { ClipGradientValue = double.NaN }))!.Message,
            Does.Contain("TrainerOptions.ClipGradientValue").And.Contain("NaN"));
    }

    [Test]
    public void Schedule_arguments_out_of_range_name_the_schedule_argument_and_value()
    {
        void Refused(Func<object> create, string schedule, string argument, string value)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => create())!;
            Assert.That(error.ParamName, Is.EqualTo(argument));
            Assert.That(error.Message, Does.Contain(schedule).And.Contain(argument).And.Contain($"got {value}"));
        }
        Refused(() => new StepLr(0), "StepLr", "stepSize", "0");
        Refused(() => new StepLr(2, double.NaN), "StepLr", "gamma", "NaN");
        Refused(() => new ExponentialLr(1.5), "ExponentialLr", "gamma", "1.5");
        Refused(() => new CosineAnnealing(5, double.NaN), "CosineAnnealing", "minRate", "NaN");
        Refused(() => new OneCycle(double.NaN), "OneCycle", "maxRate", "NaN");
        Refused(() => new OneCycle(0.1, divFactor: double.PositiveInfinity), "OneCycle", "divFactor", "Infinity");
        Refused(() => new OneCycle(0.1, finalDivFactor: double.NaN), "OneCycle", "finalDivFactor", "NaN");
        Refused(() => new OneCycle(0.1, baseMomentum: double.NaN), "OneCycle", "baseMomentum", "NaN");
        Refused(() => new LinearWarmup(0), "LinearWarmup", "warmupSteps", "0");

        void Plateau(ReduceLrOnPlateauOptions options, string property, string value) =>
            Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLrOnPlateau(options))!.Message,
                Does.Contain($"ReduceLrOnPlateauOptions.{property}").And.Contain($"got {value}"));
        Plateau(new() { Factor = double.NaN }, "Factor", "NaN");
        Plateau(new() { Patience = 0 }, "Patience", "0");
        Plateau(new() { Cooldown = -1 }, "Cooldown", "-1");
        Plateau(new() { MinDelta = double.NaN }, "MinDelta", "NaN");
        Plateau(new() { MinRate = double.PositiveInfinity }, "MinRate", "Infinity");
    }

    private sealed record RateOnly(double LearningRate) : IOptimizerFactory
    {
        public TorchSharp.Modules.OptimizerHelper Create(IEnumerable<TorchSharp.Modules.Parameter> parameters) => torch.optim.SGD(parameters, 0.01);
    }
}
