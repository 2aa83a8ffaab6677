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
