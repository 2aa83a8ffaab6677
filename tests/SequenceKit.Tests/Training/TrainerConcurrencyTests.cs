using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>One model trains in one Fit at a time: a second call is refused before it touches anything.</summary>
public class TrainerConcurrencyTests
{
    [Test]
    public void A_second_concurrent_Fit_is_refused_and_the_first_completes()
    {
        using var data = Dataset(32, 1);
        using var other = Dataset(32, 2);
        using var model = Model();
        using var inFirstBatch = new ManualResetEventSlim();
        using var secondTried = new ManualResetEventSlim();
        var gate = new Gate(inFirstBatch, secondTried);

        var first = Task.Run(() => Trainer.Fit(model, data, null, Options(2) with { Callbacks = [gate] }));
        Assert.That(inFirstBatch.Wait(TimeSpan.FromMinutes(2)), Is.True, "the first Fit reached its first batch");
        InvalidOperationException? error;
        try
        {
            error = Assert.Throws<InvalidOperationException>(() => Trainer.Fit(model, other, null, Options(1)));
        }
        finally
        {
            secondTried.Set();
        }
        Assert.That(error!.Message, Does.Contain("SequenceModel (Input → Gru → Dense").And.Contain("already being trained"));

        var history = first.Wait(TimeSpan.FromMinutes(2)) ? first.Result : throw new TimeoutException("the first Fit did not finish");
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(history.Epochs, Has.Count.EqualTo(2));
        Assert.That(Weights(model).All(float.IsFinite), Is.True);
    }

    [Test]
    public void Fit_from_a_callback_of_the_same_model_is_refused_and_the_model_trains_again_afterwards()
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        var nested = new Nested(data);
        var history = Trainer.Fit(model, data, null, Options(1) with { Callbacks = [nested] });
        Assert.That(nested.Error, Is.InstanceOf<InvalidOperationException>());
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(Trainer.Fit(model, data, null, Options(1)).StopReason, Is.EqualTo(StopReason.Completed), "the first Fit released the model");
    }

    [Test]
    public void Predict_and_Evaluate_from_another_thread_during_Fit_are_refused_and_Fit_completes()
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        using var inFirstBatch = new ManualResetEventSlim();
        using var othersTried = new ManualResetEventSlim();
        var gate = new Gate(inFirstBatch, othersTried);
        var inputs = new float[4, 5, 2];

        var fit = Task.Run(() => Trainer.Fit(model, data, null, Options(2) with { Callbacks = [gate] }));
        Assert.That(inFirstBatch.Wait(TimeSpan.FromMinutes(2)), Is.True, "Fit reached its first batch");
        var errors = new List<Exception?>();
        try
        {
            errors.Add(Catch(() => model.Predict(inputs)));
            errors.Add(Catch(() => model.PredictClasses(inputs)));
            errors.Add(Catch(() => Trainer.Evaluate(model, data, Options(1))));
            errors.Add(Catch(() => Trainer.Predict(model, TorchSharp.torch.zeros(4, 5, 2)).Dispose()));
        }
        finally
        {
            othersTried.Set();
        }
        Assert.That(errors, Has.All.InstanceOf<InvalidOperationException>());
        Assert.That(errors[0]!.Message, Does.Contain("SequenceModel (Input → Gru → Dense").And.Contain("Predict"));

        var history = fit.Wait(TimeSpan.FromMinutes(2)) ? fit.Result : throw new TimeoutException("Fit did not finish");
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(history.Epochs, Has.Count.EqualTo(2));
        Assert.That(model.Predict(inputs).GetLength(0), Is.EqualTo(4), "after Fit, any thread may predict");
    }

    [Test]
    public void Predict_and_Evaluate_from_a_callback_work_and_restore_training_mode()
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        var probe = new Probe(data);
        var history = Trainer.Fit(model, data, null, Options(2) with { Callbacks = [probe] });
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(probe.Calls, Is.EqualTo(2), "one Predict, PredictClasses and Evaluate per epoch");
        Assert.That(probe.Problems, Is.Empty);
    }

    private static Exception? Catch(Action action)
    {
        try { action(); return null; }
        catch (Exception e) { return e; }
    }

    /// <summary>Predicts and evaluates at each epoch's second batch (training mode), and checks the mode afterwards.</summary>
    private sealed class Probe(SequenceKit.Preprocessing.SequenceDataset data) : Callback
    {
        public int Calls { get; private set; }
        public List<string> Problems { get; } = [];

        public override void OnBatchBegin(TrainingContext context)
        {
            if (context.Batch != 1) return;
            if (!context.Model.training) Problems.Add($"epoch {context.Epoch}: not in training mode before the probe");
            var outputs = context.Model.Predict(new float[3, 5, 2]);
            var classes = context.Model.PredictClasses(new float[3, 5, 2]);
            var metrics = Trainer.Evaluate(context.Model, data, Options(1));
            if (outputs.GetLength(0) != 3 || classes.Length != 3 || !double.IsFinite(metrics["loss"])) Problems.Add($"epoch {context.Epoch}: odd results");
            if (!context.Model.training) Problems.Add($"epoch {context.Epoch}: training mode not restored");
            Calls++;
        }
    }

    private sealed class Gate(ManualResetEventSlim inFirstBatch, ManualResetEventSlim secondTried) : Callback
    {
        public override void OnBatchBegin(TrainingContext context)
        {
            if (context.Epoch != 0 || context.Batch != 0) return;
            inFirstBatch.Set();
            secondTried.Wait(TimeSpan.FromMinutes(2));
        }
    }

    private sealed class Nested(SequenceKit.Preprocessing.SequenceDataset data) : Callback
    {
        public Exception? Error { get; private set; }

        public override void OnEpochBegin(TrainingContext context)
        {
            try { Trainer.Fit(context.Model, data, null, Options(1)); }
            catch (Exception e) { Error = e; }
        }
    }
}
