using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Optimizers;
using TorchSharp;
using static TorchSharp.torch.optim;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests.Training;

/// <summary>A step that leaves a parameter NaN or infinite is rolled back to the start of its epoch and stops the run.</summary>
public class TrainerNonFiniteParameterTests
{
    [Test]
    public void A_poisoning_optimizer_is_rolled_back_and_the_run_stops_with_NonFiniteParameters()
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        var before = Weights(model);
        // TorchSharp's own Adam takes β1 = NaN (its range check is `beta1 < 0 || beta1 >= 1`): every weight becomes NaN.
        var poison = new CustomOptimizer(0.01, p => torch.optim.Adam(p, 0.01, double.NaN));

        var history = Trainer.Fit(model, data, null, Options(3) with { Optimizer = poison });

        Assert.That(history.StopReason, Is.EqualTo(StopReason.NonFiniteParameters));
        Assert.That(history.Epochs, Is.Empty, "the first step failed, so no epoch completed");
        var weights = Weights(model);
        Assert.That(weights.All(float.IsFinite), Is.True);
        Assert.That(weights, Is.EqualTo(before), "rolled back to the start of epoch 1, the initial weights");
        var rolledBack = history.Events.OfType<ParametersRolledBack>().Single();
        Assert.That((rolledBack.Epoch, rolledBack.Batch), Is.EqualTo((0, 0)));
        Assert.That(rolledBack.Parameters, Does.Contain("1.weight_ih_l0").And.Contain("2.bias"));
        Assert.That(history.StopMessage, Does.Contain("epoch 1, batch 1"));
    }

    [Test]
    public void A_step_poisoned_in_a_later_epoch_rolls_back_to_that_epochs_start()
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        var poisoner = new PoisonAt(epoch: 1, batch: 1);

        var history = Trainer.Fit(model, data, null, Options(3) with { Callbacks = [poisoner] });

        Assert.That(history.StopReason, Is.EqualTo(StopReason.NonFiniteParameters));
        Assert.That(history.Epochs, Has.Count.EqualTo(1));
        Assert.That(Weights(model), Is.EqualTo(poisoner.AtEpochStart), "the weights at the start of epoch 2, not the initial ones");
        var rolledBack = history.Events.OfType<ParametersRolledBack>().Single();
        Assert.That((rolledBack.Epoch, rolledBack.Batch), Is.EqualTo((1, 1)));
    }

    [Test]
    public void A_healthy_run_records_no_roll_back()
    {
        using var data = Dataset(32, 1);
        using var model = Model();
        var history = Trainer.Fit(model, data, null, Options(2));
        Assert.That(history.StopReason, Is.EqualTo(StopReason.Completed));
        Assert.That(history.Events.OfType<ParametersRolledBack>(), Is.Empty);
    }

    /// <summary>Sets Adam's β1 to NaN just before one batch, as a corrupted optimizer would.</summary>
    private sealed class PoisonAt(int epoch, int batch) : Callback
    {
        public float[] AtEpochStart { get; private set; } = [];

        public override void OnEpochBegin(TrainingContext context)
        {
            if (context.Epoch == epoch) AtEpochStart = Weights(context.Model);
        }

        public override void OnBatchBegin(TrainingContext context)
        {
            if (context.Epoch != epoch || context.Batch != batch) return;
            foreach (var group in context.Optimizer.ParamGroups)
                if (group is IBetas betas) betas.Betas = (double.NaN, betas.Betas.Item2);
        }
    }
}
