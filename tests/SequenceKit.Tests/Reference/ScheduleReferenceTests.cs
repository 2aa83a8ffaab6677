using System.Text.Json.Nodes;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Optimizers;
using SequenceKit.Training.Schedulers;
using static TorchSharp.torch;
using static TorchSharp.torch.optim;

namespace SequenceKit.Tests.Reference;

/// <summary>Every position-driven schedule against PyTorch 1.13's lr_scheduler traces (torch_reference.json, "schedules").</summary>
public class ScheduleReferenceTests
{
    private static JsonNode Schedule(string name) => ReferenceData.Torch["schedules"]![name]!;

    private static double[] PerEpoch(IEpochScheduler schedule, double baseRate, int epochs) =>
        Enumerable.Range(0, epochs).Select(e => schedule.LearningRate(baseRate, new(e, 0, 1, epochs))).ToArray();

    [Test]
    public void Step_exponential_and_cosine_annealing_per_epoch_equal_torch()
    {
        // Tolerance: relative 1e-12 (both sides compute in double).
        var step = Schedule("step_lr");
        Assert.That(PerEpoch(new StepLr(3, 0.5), 1.0, 10), Is.EqualTo(ReferenceData.Doubles(step["per_epoch"])).Within(1e-12));
        var exponential = Schedule("exponential_lr");
        Assert.That(PerEpoch(new ExponentialLr(0.9), 0.5, 10), Is.EqualTo(ReferenceData.Doubles(exponential["per_epoch"])).Within(1e-12));
        var cosine = Schedule("cosine_annealing");
        Assert.That(PerEpoch(new CosineAnnealing(8), 0.1, 8), Is.EqualTo(ReferenceData.Doubles(cosine["per_epoch"])).Within(1e-12));
    }

    [Test]
    public void Cosine_warm_restarts_per_batch_equal_torch()
    {
        var c = Schedule("cosine_warm_restarts");
        int epochs = (int)c["epochs"]!, batches = (int)c["batches"]!;
        var schedule = new CosineAnnealing((int)c["period"]!, (double)c["min_rate"]!, (int)c["multiplier"]!);
        var ours = Enumerable.Range(0, epochs * batches).Select(i => schedule.LearningRate(0.1, new(i / batches, i % batches, batches, epochs)));
        Assert.That(ours, Is.EqualTo(ReferenceData.Doubles(c["per_batch"])).Within(1e-12));
    }

    [Test]
    public void Linear_warmup_equals_torch_linear_lr()
    {
        var c = Schedule("linear_warmup");
        var ours = Enumerable.Range(0, 8).Select(i => new LinearWarmup((int)c["warmup_steps"]!).LearningRate(0.3, new(0, i, 8, 1)));
        Assert.That(ours, Is.EqualTo(ReferenceData.Doubles(c["per_step"])).Within(1e-12));
    }

    public static IEnumerable<TestCaseData> OneCycleCases() => Schedule("one_cycle").AsArray().Select((c, i) =>
        new TestCaseData(i).SetName($"One_cycle_equals_torch_{(string)c!["optimizer"]!}_{(int)c["epochs"]!}x{(int)c["batches"]!}_pct_{(double)c["pct_start"]!}"));

    [TestCaseSource(nameof(OneCycleCases))]
    public void One_cycle_rates_and_momentum_equal_torch(int index)
    {
        var c = Schedule("one_cycle")[index]!;
        int epochs = (int)c["epochs"]!, batches = (int)c["batches"]!;
        var schedule = new OneCycle((double)c["max_rate"]!, (double)c["pct_start"]!);
        var positions = Enumerable.Range(0, epochs * batches).Select(i => new SchedulePosition(i / batches, i % batches, batches, epochs)).ToArray();
        // Relative 1e-12 on the rate (before: the peak at 0.3·(n − 1) differed by up to 15%); absolute 1e-12 on momentum.
        var expectedRates = ReferenceData.Doubles(c["rates"]);
        var rates = positions.Select(p => schedule.LearningRate(1, p)).ToArray();
        for (var i = 0; i < rates.Length; i++)
            Assert.That(rates[i], Is.EqualTo(expectedRates[i]).Within(1e-12 * expectedRates[i]), $"rate at step {i}");
        Assert.That(positions.Select(p => schedule.Momentum(p)!.Value), Is.EqualTo(ReferenceData.Doubles(c["momentum"])).Within(1e-12));
    }

    private sealed class Recorder : Callback
    {
        public List<double> Momentum { get; } = [];
        public List<double> Rates { get; } = [];

        public override void OnBatchBegin(TrainingContext context)
        {
            var group = context.Optimizer.ParamGroups.First();
            Momentum.Add(group is IBetas betas ? betas.Betas.Item1 : ((IMomentum)group).Momentum);
            Rates.Add(group.LearningRate);
        }
    }

    [TestCase("sgd")]
    [TestCase("adam")]
    public void Fit_applies_one_cycle_rate_and_momentum_to_the_optimizer_as_torch(string optimizer)
    {
        var c = Schedule("one_cycle").AsArray().First(t => (string)t!["optimizer"]! == optimizer && (int)t["epochs"]! == 3)!;
        int epochs = (int)c["epochs"]!, batches = (int)c["batches"]!;
        using var model = new SequenceModel(TestData.Seeded(), Input.Vector(2), new Dense(2));
        using var inputs = TestData.Normal(3, batches, 2);
        using var labels = tensor(Enumerable.Range(0, batches).Select(i => (long)(i % 2)).ToArray());
        using var data = new SequenceDataset(inputs, labels);
        var recorder = new Recorder();
        Trainer.Fit(model, data, null, new TrainerOptions
        {
            Loss = new CrossEntropyLoss(),
            Optimizer = optimizer == "sgd" ? new Sgd { LearningRate = 0.1, Momentum = 0.9 } : new Adam { LearningRate = 0.1 },
            Schedule = new OneCycle((double)c["max_rate"]!, (double)c["pct_start"]!),
            Epochs = epochs,
            BatchSize = 1,
            Callbacks = [recorder],
        });
        Assert.That(recorder.Rates, Is.EqualTo(ReferenceData.Doubles(c["rates"])).Within(1e-12));
        Assert.That(recorder.Momentum, Is.EqualTo(ReferenceData.Doubles(c["momentum"])).Within(1e-12), optimizer == "sgd" ? "SGD momentum" : "Adam β1");
    }
}
