using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Tests.Backends;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using SequenceKit.Training.Metrics;
using SequenceKit.Training.Optimizers;
using SequenceKit.Training.Schedulers;
using TorchSharp;
using static TorchSharp.torch;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

public class TrainerTests
{
    [Test]
    public void Fit_learns_the_task_and_records_every_epoch()
    {
        using var train = Dataset(160, 1);
        using var validation = Dataset(64, 2);
        using var model = Model();
        var history = Trainer.Fit(model, train, validation, Options(epochs: 8));
        Assert.That(history.Epochs, Has.Count.EqualTo(8));
        Assert.That(history.Epochs[0].Metrics.Keys, Is.EqualTo(new[] { "loss", "accuracy", "val_loss", "val_accuracy" }));
        Assert.That(history["lr"], Is.All.EqualTo(0.02).Within(1e-9));
        Assert.That(history["loss"][^1], Is.LessThan(history["loss"][0]));
        Assert.That(history["val_accuracy"][^1], Is.GreaterThan(0.8), history.ToString());
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(history.Epochs.All(e => e.Duration > TimeSpan.Zero), Is.True);
        Assert.That(model.training, Is.False, "the model is left in evaluation mode");
    }

    [Test]
    public void Same_seed_gives_the_same_history_and_weights_bit_for_bit()
    {
        using var train = Dataset(64, 3);
        using var first = Model(seed: 4, dropout: true);
        using var second = Model(seed: 4, dropout: true);
        var a = Trainer.Fit(first, train, train, Options(epochs: 3));
        var b = Trainer.Fit(second, train, train, Options(epochs: 3));
        for (var e = 0; e < 3; e++)
            Assert.That(b.Epochs[e].Metrics, Is.EqualTo(a.Epochs[e].Metrics));
        Assert.That(Weights(second), Is.EqualTo(Weights(first)));
        using var third = Model(seed: 4, dropout: true);
        var c = Trainer.Fit(third, train, train, Options(epochs: 3) with { Seed = 8 });
        Assert.That(c["loss"], Is.Not.EqualTo(a["loss"]), "another seed shuffles differently");
    }

    [Test]
    public void Cancellation_stops_at_a_batch_boundary_and_leaves_a_consistent_model()
    {
        using var train = Dataset(96, 5);
        using var model = Model();
        using var source = new CancellationTokenSource();
        var options = Options(epochs: 5) with { Callbacks = [new CancelAfter(source, epoch: 1, batch: 2)], AccumulationSteps = 2 };
        var history = Trainer.Fit(model, train, null, options, source.Token);
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Cancelled));
        Assert.That(history.Epochs, Has.Count.EqualTo(1), "the interrupted epoch is not recorded");
        Assert.That(history.StopMessage, Does.Contain("epoch 2, batch 4"));
        Assert.That(model.parameters().All(p => p.grad is null || p.grad.abs().sum().item<float>() == 0), Is.True, "no half-accumulated gradient is left");
        Assert.That(Weights(model).All(float.IsFinite), Is.True);
        Assert.That(Trainer.Fit(model, train, null, Options(epochs: 1)).Epochs, Has.Count.EqualTo(1), "training can go on");
    }

    private sealed class CancelAfter(CancellationTokenSource source, int epoch, int batch) : Callback
    {
        public override void OnBatchEnd(TrainingContext context)
        {
            if (context.Epoch == epoch && context.Batch == batch) source.Cancel();
        }
    }

    [Test]
    public void Gradient_accumulation_equals_one_larger_batch()
    {
        using var train = Dataset(32, 6);
        using var accumulated = Model(seed: 9);
        using var single = Model(seed: 9);
        var sgd = new Sgd { LearningRate = 0.5 };
        Trainer.Fit(accumulated, train, null, Options(epochs: 1) with { Optimizer = sgd, BatchSize = 8, AccumulationSteps = 2, Shuffle = false });
        Trainer.Fit(single, train, null, Options(epochs: 1) with { Optimizer = sgd, BatchSize = 16, Shuffle = false });
        Assert.That(Weights(accumulated), Is.EqualTo(Weights(single)).Within(1e-5f));
        using var plain = Model(seed: 9);
        Trainer.Fit(plain, train, null, Options(epochs: 1) with { Optimizer = sgd, BatchSize = 8, Shuffle = false });
        Assert.That(Weights(plain), Is.Not.EqualTo(Weights(single)).Within(1e-5f), "without accumulation the steps differ");
    }

    [Test]
    public void Clipping_by_norm_and_by_value_bounds_each_step()
    {
        using var train = Dataset(16, 7);
        var sgd = new Sgd { LearningRate = 1 };
        using var byNorm = Model(seed: 2);
        var before = Weights(byNorm);
        Trainer.Fit(byNorm, train, null, Options(epochs: 1) with { Optimizer = sgd, ClipGradientNorm = 0.01 });
        var step = Math.Sqrt(Weights(byNorm).Zip(before, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.That(step, Is.LessThanOrEqualTo(0.01 + 1e-6).And.GreaterThan(0.005), "one SGD step of length ≤ lr · max norm");

        using var byValue = Model(seed: 2);
        Trainer.Fit(byValue, train, null, Options(epochs: 1) with { Optimizer = sgd, ClipGradientValue = 1e-4 });
        Assert.That(Weights(byValue).Zip(before, (a, b) => Math.Abs(a - b)).Max(), Is.LessThanOrEqualTo(1e-4 + 1e-6));
    }

    [Test]
    public void Class_weights_weight_the_loss_per_class()
    {
        using var data = Dataset(40, 8);
        using var model = Model(seed: 3);
        var weighted = Trainer.Evaluate(model, data, Options() with { ClassWeights = [1, 0], BatchSize = 64 })["loss"];   // one batch: per-batch means are exact
        var labels = data.BatchOrder(new BatchOptions { BatchSize = 40, Shuffle = false })[0];
        using var batch = data.GetBatch(labels);
        var classZero = Enumerable.Range(0, 40).Where(i => batch.Targets[i].item<long>() == 0).ToArray();
        using var subset = data.Subset(classZero);
        var unweightedClassZero = Trainer.Evaluate(model, subset, Options())["loss"];
        Assert.That(weighted, Is.EqualTo(unweightedClassZero).Within(1e-5), "weight 0 removes class 1 from the mean");
    }

    [Test]
    public void Predict_runs_in_batches_in_eval_mode_and_keeps_the_training_mode()
    {
        using var model = Model(seed: 5, dropout: true);
        model.train();
        var (inputs, _) = SignTask(10, 9);
        using var x = tensor(inputs);
        using var predicted = Trainer.Predict(model, x, batchSize: 3);
        Assert.That(model.training, Is.True, "the training mode is restored");
        model.eval();
        using var expected = model.forward(x);
        TestData.AssertClose(expected, predicted, 1e-6);
        Assert.That(predicted.requires_grad, Is.False);
    }

    [Test]
    public void Evaluate_matches_a_hand_computed_accuracy()
    {
        using var data = Dataset(30, 10);
        using var model = Model(seed: 6);
        var result = Trainer.Evaluate(model, data, Options());
        var (inputs, labels) = SignTask(30, 10);
        using var x = tensor(inputs);
        using var predicted = Trainer.Predict(model, x);
        var predictedClasses = predicted.argmax(1).data<long>().ToArray();
        Assert.That(result["accuracy"], Is.EqualTo(predictedClasses.Zip(labels, (p, l) => p == l ? 1.0 : 0).Average()).Within(1e-12));
        Assert.That(result.Keys, Is.EquivalentTo(new[] { "loss", "accuracy" }));
        var missing = Assert.Throws<KeyNotFoundException>(() => _ = result["val_accuracy"])!;
        Assert.That(missing.Message, Does.Contain("available: loss, accuracy").And.Contain("read \"accuracy\""));
    }

    [Test]
    public void Reduce_lr_on_plateau_lowers_the_recorded_rate_and_logs_it()
    {
        using var train = Dataset(32, 11);
        using var model = Model();
        var logger = new DeviceSelectorTests.ListLogger();
        var history = Trainer.Fit(model, train, train, Options(epochs: 4) with
        {
            MetricScheduler = new ReduceLrOnPlateau(new ReduceLrOnPlateauOptions { Factor = 0.5, Patience = 1, MinDelta = 100 }),
            Logger = logger,
        });
        // Epoch 1 sets the best; every later epoch fails the huge min delta: patience 1 halves the rate each time.
        Assert.That(history["lr"], Is.EqualTo(new[] { 0.02, 0.02, 0.01, 0.005 }).Within(1e-9));
        Assert.That(logger.Lines.Count(l => l.Contains("Epoch ") && l.Contains("/4")), Is.EqualTo(4), "one line per epoch");
        Assert.That(logger.Lines, Has.Some.Contains("learning rate reduced from 0.02 to 0.01"));
    }

    [Test]
    public void Per_batch_schedules_are_applied_and_the_rate_used_is_recorded()
    {
        using var train = Dataset(48, 12);
        using var model = Model();
        var schedule = new OneCycle(maxRate: 0.05);
        var reports = new List<TrainingProgress>();
        var history = Trainer.Fit(model, train, null, Options(epochs: 2) with { Schedule = schedule, Progress = new SynchronousProgress(reports.Add) });
        Assert.That(history["lr"][0], Is.EqualTo(schedule.LearningRate(0.02, new(0, 2, 3, 2))).Within(1e-12), "the last batch's rate");
        Assert.That(reports, Has.Count.EqualTo(2 * 3));
        Assert.That(reports.Select(r => (r.Epoch, r.Batch)), Is.EqualTo(new[] { (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3) }), "counted from 1, as the logs count");
        Assert.That(reports[^1].RunningLoss, Is.EqualTo(history["loss"][1]).Within(1e-6));
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Test]
    public void Token_models_with_padding_train_on_padded_batches()
    {
        var corpus = new List<long[]>();
        var labels = new List<long>();
        var random = new Random(13);
        for (var i = 0; i < 64; i++)
        {
            var length = random.Next(2, 9);
            var sequence = Enumerable.Range(0, length).Select(_ => (long)random.Next(2, 20)).ToArray();
            corpus.Add(sequence);
            labels.Add(sequence.Contains(7) ? 1 : 0);
        }
        var padded = PadSequences.Tokens(corpus);
        using var data = SequenceDataset.FromArrays(padded.Values, labels.ToArray(), padded.Lengths);
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 2 }, new Embedding(20, 8), new Lstm(16), new Dense(2));
        var history = Trainer.Fit(model, data, data, Options(epochs: 12) with { Optimizer = new Adam { LearningRate = 0.02 } });
        Assert.That(history["val_accuracy"][^1], Is.GreaterThan(history["val_accuracy"][0]).Or.GreaterThan(0.9), history.ToString());
    }
}
