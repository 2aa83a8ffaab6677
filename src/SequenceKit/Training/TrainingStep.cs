using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training.Losses;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Training;

/// <summary>
/// The one training step every caller shares (the trainer, the doctor's experiments): forward, loss, backward,
/// clipping, optimizer step, and the rule for a non-finite loss (never applied: gradients are cleared and the weights
/// and optimizer state stay as they were). A fix to clipping or to non-finite handling lands everywhere at once.
/// </summary>
internal static class TrainingStep
{
    /// <summary>How a step clips and accumulates; the trainer's options, or a doctor experiment's variant of them.</summary>
    /// <param name="ClipGradientValue">Clip each gradient element to ±this, or null.</param>
    /// <param name="ClipGradientNorm">Clip the global gradient norm to this, or null.</param>
    /// <param name="AccumulationSteps">The loss is divided by this before backward (1 = no accumulation).</param>
    public sealed record Settings(double? ClipGradientValue, double? ClipGradientNorm, int AccumulationSteps = 1)
    {
        /// <summary>The settings of a trainer's options.</summary>
        public static Settings Of(TrainerOptions options) => new(options.ClipGradientValue, options.ClipGradientNorm, options.AccumulationSteps);

        /// <summary>No clipping, no accumulation.</summary>
        public static Settings Plain { get; } = new(null, null);
    }

    /// <summary>
    /// Runs one batch on the current dispose scope: forward and loss, then (for a finite loss) backward and, when
    /// <paramref name="isStep"/>, clipping, the optimizer step and clearing the gradients.
    /// </summary>
    /// <param name="model">The model, in training mode.</param>
    /// <param name="batch">The batch, on the model's device.</param>
    /// <param name="optimizer">The optimizer over the model's parameters, gradients cleared.</param>
    /// <param name="loss">The loss.</param>
    /// <param name="setup">How the loss reads outputs and targets.</param>
    /// <param name="settings">Clipping and accumulation.</param>
    /// <param name="isStep">Apply the optimizer step now (false while accumulating).</param>
    /// <param name="valuesChecked">The batch's rows were already checked for non-finite values.</param>
    /// <returns>The batch loss; whether a step was applied; the output and mask (for metrics, on the caller's scope).</returns>
    public static (double Loss, bool Applied, Tensor Output, Tensor? Mask) Run(SequenceModel model, DataBatch batch, OptimizerHelper optimizer, ILoss loss,
        LossSetup setup, Settings settings, bool isStep = true, bool valuesChecked = false)
    {
        var (output, value, mask) = BatchLoss(model, batch, loss, setup, valuesChecked);
        var number = value.item<float>();
        if (!float.IsFinite(number))
        {
            optimizer.zero_grad();
            return (number, false, output, mask);
        }
        (settings.AccumulationSteps == 1 ? value : value / settings.AccumulationSteps).backward();
        if (!isStep) return (number, false, output, mask);
        if (settings.ClipGradientValue is { } limit) nn.utils.clip_grad_value_(model.parameters(), limit);
        if (settings.ClipGradientNorm is { } norm) nn.utils.clip_grad_norm_(model.parameters(), norm);
        optimizer.step();
        optimizer.zero_grad();
        return (number, true, output, mask);
    }

    /// <summary>
    /// The one batch loss: the model's output on a batch, the loss exactly as training computes it (padded steps masked,
    /// class weights from <paramref name="setup"/>), and the step mask. The trainer, evaluation, the training doctor's
    /// probes and <c>LearningRateFinder</c> all call this.
    /// </summary>
    public static (Tensor Output, Tensor Loss, Tensor? Mask) BatchLoss(SequenceModel model, DataBatch batch, ILoss loss, LossSetup setup, bool valuesChecked = false)
    {
        var (output, logits) = model.ForwardWithLogits(batch.Inputs, batch.Lengths, valuesChecked);      // softmax/sigmoid losses read the logits
        var mask = StepMask(output, batch.Lengths);
        return (output, loss.ComputeFromLogits(logits, output, batch.Targets, setup, mask), mask);
    }

    /// <summary>(batch, time) true at real steps, for sequence outputs of a padded batch; otherwise null.</summary>
    public static Tensor? StepMask(Tensor output, Tensor? lengths)
    {
        if (lengths is null || output.Dimensions != 3) return null;
        var steps = arange(output.shape[1], device: output.device).unsqueeze(0);     // (1, T)
        return steps.lt(lengths.to(output.device).unsqueeze(1));                       // (B, T)
    }
}
