using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Optimizers;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training.Callbacks;

public class CallbackTests : TemporaryFolderTest
{
    /// <summary>Records the weights at the end of a chosen epoch.</summary>
    private sealed class WeightsAt(int epoch) : Callback
    {
        public float[]? Weights { get; private set; }

        public override void OnEpochEnd(TrainingContext context)
        {
            if (context.Epoch == epoch) Weights = TrainingData.Weights(context.Model);
        }
    }

    [Test]
    public void Early_stopping_stops_by_the_patience_rule_and_restores_the_best_weights()
    {
        using var train = Dataset(32, 1);
        using var model = Model();
        var atFirst = new WeightsAt(0);
        // MinDelta 100: only the first epoch "improves", so epochs 2 and 3 count and patience 2 stops after epoch 3.
        var stopping = new EarlyStopping(new EarlyStoppingOptions { Monitor = "loss", Patience = 2, MinDelta = 100, RestoreBestWeights = true });
        var history = Trainer.Fit(model, train, null, Options(epochs: 10) with { Callbacks = [atFirst, stopping] });
        Assert.That(history.Epochs, Has.Count.EqualTo(3));
        Assert.That(history.StopReason, Is.EqualTo(StopReason.EarlyStopping));
        Assert.That(history.StopMessage, Does.Contain("Early stopping at epoch 3").And.Contain("best epoch 1"));
        Assert.That(Weights(model), Is.EqualTo(atFirst.Weights), "the best epoch's weights are back");
    }

    [Test]
    public void Early_stopping_and_plateau_scheduling_check_their_shared_monitor_settings_the_same_way()
    {
        // One check (MonitorOptions) for both: the message names the options type, the setting and the value.
        var stopping = Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(new() { Patience = 0 }))!;
        Assert.That(stopping.Message, Does.Contain("EarlyStoppingOptions.Patience must be at least 1; got 0"));
        var scheduling = Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceKit.Training.Schedulers.ReduceLrOnPlateau(new() { Patience = 0 }))!;
        Assert.That(scheduling.Message, Does.Contain("ReduceLrOnPlateauOptions.Patience must be at least 1; got 0"));
        Assert.That(Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(new() { MinDelta = double.NaN }))!.Message, Does.Contain("EarlyStoppingOptions.MinDelta"));
        Assert.That(new SequenceKit.Training.Schedulers.ReduceLrOnPlateauOptions().MinDelta, Is.EqualTo(1e-4), "Keras' default for the scheduler");
        Assert.That(new EarlyStoppingOptions().MinDelta, Is.EqualTo(0), "Keras' default for early stopping");
    }

    [Test]
    public void Early_stopping_derives_the_direction_from_the_metric()
    {
        using var train = Dataset(64, 2);
        using var model = Model();
        var stopping = new EarlyStopping(new EarlyStoppingOptions { Monitor = "accuracy", Patience = 50 });
        Trainer.Fit(model, train, null, Options(epochs: 6) with { Callbacks = [stopping] });
        Assert.That(stopping.BestEpoch, Is.GreaterThan(0), "accuracy rises: its best is not the first epoch, as it would be if minimized");
    }

    [Test]
    public void Terminate_on_NaN_stops_and_restores_finite_weights()
    {
        // Regression through an unbounded Dense with an absurd learning rate: the weights overflow within a few steps.
        var (inputs, _) = SignTask(64, 3);
        var targets = new float[64, 1];
        for (var i = 0; i < 64; i++) targets[i, 0] = 1000;
        using var train = SequenceKit.Preprocessing.SequenceDataset.FromArrays(inputs, targets);
        using var model = new SequenceKit.Models.SequenceModel(new SequenceKit.Models.SequenceModelOptions { Seed = 1 },
            SequenceKit.Layers.Input.Sequence(2), new SequenceKit.Layers.Gru(8), new SequenceKit.Layers.Dense(1));
        var history = Trainer.Fit(model, train, null, Options(epochs: 5) with
        {
            Loss = new SequenceKit.Training.Losses.MeanSquaredErrorLoss(),
            Metrics = [],
            Optimizer = new Sgd { LearningRate = 1e6 },
            Callbacks = [new TerminateOnNaN()],
        });
        Assert.That(history.StopReason, Is.EqualTo(StopReason.NonFiniteLoss), history.ToString());
        Assert.That(history.StopMessage, Does.Contain("weights restored"));
        Assert.That(Weights(model).All(float.IsFinite), Is.True);
    }

    [Test]
    public void A_poisoned_batch_is_never_applied_and_roll_back_keeps_training_going()
    {
        // One sample carries a finite but extreme value: its batch's squared error overflows to +Infinity; the rest is fine.
        var random = new Random(2);
        var x = new float[64, 2];
        var y = new float[64, 1];
        for (var i = 0; i < 64; i++)
        {
            (x[i, 0], x[i, 1]) = ((float)random.NextDouble(), (float)random.NextDouble());
            y[i, 0] = x[i, 0] + x[i, 1];
        }
        x[10, 0] = 1e30f;
        using var train = new SequenceKit.Preprocessing.SequenceDataset(TorchSharp.torch.tensor(x), TorchSharp.torch.tensor(y));
        SequenceKit.Models.SequenceModel Build() => new(new SequenceKit.Models.SequenceModelOptions { Seed = 1 },
            SequenceKit.Layers.Input.Vector(2), new SequenceKit.Layers.Dense(1));
        var options = Options(epochs: 4) with { Loss = new SequenceKit.Training.Losses.MeanSquaredErrorLoss(), Metrics = [], Optimizer = new Sgd { LearningRate = 0.05 } };

        using (var stopped = Build())
        {
            var history = Trainer.Fit(stopped, train, null, options with { Callbacks = [new TerminateOnNaN()] });
            Assert.That(history.StopReason, Is.EqualTo(StopReason.NonFiniteLoss));
            Assert.That(Weights(stopped).All(float.IsFinite), Is.True, "the infinite step was never applied");
        }

        using var model = Build();
        var guard = new TerminateOnNaN(new TerminateOnNaNOptions { Action = NonFiniteLossAction.RollBack, MaxRollbacks = 10 });
        var rolled = Trainer.Fit(model, train, null, options with { Callbacks = [guard] });
        Assert.That(rolled.StopReason, Is.EqualTo(StopReason.Completed), rolled.ToString());
        Assert.That(guard.Rollbacks, Is.EqualTo(4), "one poisoned batch per epoch");
        // Typed events: 4 skipped steps, 4 roll-backs, 4 cuts by 0.1, each roll-back followed by its cut.
        Assert.That(rolled.Events.OfType<SkippedStep>().Count(), Is.EqualTo(4));
        Assert.That(rolled.Events.OfType<SkippedStep>().All(e => !double.IsFinite(e.Loss)), Is.True);
        Assert.That(rolled.Events.OfType<WeightsRolledBack>().Select(e => e.Rollback), Is.EqualTo(new[] { 1, 2, 3, 4 }));
        var cuts = rolled.Events.OfType<LearningRateCut>().ToList();
        Assert.That(cuts.Select(c => c.Factor), Is.All.EqualTo(0.1));
        Assert.That(cuts[^1].NewRate, Is.EqualTo(0.05 * Math.Pow(0.1, 4)).Within(1e-12));
        for (var i = 0; i < rolled.Events.Count; i++)
            if (rolled.Events[i] is WeightsRolledBack) Assert.That(rolled.Events[i + 1], Is.InstanceOf<LearningRateCut>());
        Assert.That(rolled["lr"], Is.Ordered.Descending, "each cut applies from the next batch on");
        Assert.That(rolled["lr"][^1], Is.LessThanOrEqualTo(0.05 * Math.Pow(0.1, 3) * (1 + 1e-9)), "at least three cuts before the last epoch ended");
        Assert.That(rolled["loss"].All(double.IsFinite), Is.True, "each epoch's loss covers the steps applied");
        Assert.That(Weights(model).All(float.IsFinite), Is.True);
    }

    [Test]
    public void Model_checkpoint_writes_every_epoch_or_only_the_best_and_leaves_no_temporary_file()
    {
        using var train = Dataset(32, 4);
        using var model = Model();
        var every = new ModelCheckpoint(new ModelCheckpointOptions(Path.Combine(Folder, "every-{epoch}.ckpt")) { SaveBestOnly = false });
        var best = new ModelCheckpoint(new ModelCheckpointOptions(Path.Combine(Folder, "best.ckpt")) { Monitor = "loss", SaveBestOnly = true });
        var history = Trainer.Fit(model, train, null, Options(epochs: 3) with { Callbacks = [every, best] });
        Assert.That(every.Written.Select(Path.GetFileName), Is.EqualTo(new[] { "every-1.ckpt", "every-2.ckpt", "every-3.ckpt" }));
        var improvements = 1 + Enumerable.Range(1, 2).Count(e => history["loss"][e] < history["loss"].Take(e).Min());
        Assert.That(best.Written, Has.Count.EqualTo(improvements));
        Assert.That(Directory.GetFiles(Folder).Where(f => f.EndsWith(".tmp", StringComparison.Ordinal)), Is.Empty);
    }

    [Test]
    public void Csv_logger_writes_a_header_and_a_row_per_epoch()
    {
        using var train = Dataset(32, 5);
        using var model = Model();
        var path = Path.Combine(Folder, "log.csv");
        Trainer.Fit(model, train, train, Options(epochs: 2) with { Callbacks = [new CsvLogger(path)] });
        var lines = File.ReadAllLines(path);
        Assert.That(lines[0], Is.EqualTo("epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds"));
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[2], Does.StartWith("2,"));
    }
}
