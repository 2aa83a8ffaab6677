using Microsoft.Extensions.Logging;
using SequenceKit.Training.Schedulers;
using TorchSharp.Modules;

namespace SequenceKit.Training;

/// <summary>
/// The learning rate of a run in one place: each batch's rate (and momentum) from the epoch schedule and the base rate;
/// after each epoch, the metric scheduler's new base rate. The base rate itself lives in
/// <see cref="LearningRateState"/>, which records every cut (a metric scheduler's, a callback's or a roll-back's).
/// </summary>
internal sealed class RateController(TrainerOptions options, LearningRateState rates, OptimizerHelper optimizer, ILogger logger)
{
    /// <summary>Starts the metric scheduler, unless its state came from a checkpoint.</summary>
    public void Start(TrainingContext context, bool schedulerRestored)
    {
        if (!schedulerRestored && options.MetricScheduler is { } scheduler)
            scheduler.Start(scheduler.Mode ?? context.ModeOf(scheduler.Monitor));
    }

    /// <summary>Sets every parameter group's rate (and the momentum of a momentum schedule) for batch <paramref name="batch"/> of <paramref name="epoch"/>.</summary>
    public void BeforeBatch(int epoch, int batch, int batches)
    {
        var position = new SchedulePosition(epoch, batch, batches, options.Epochs);
        var rate = options.Schedule?.LearningRate(rates.BaseRate, position) ?? rates.BaseRate;
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        if (options.Schedule is IMomentumSchedule { } momentumSchedule && momentumSchedule.Momentum(position) is { } momentum)
            OptimizerMomentum.Set(optimizer, momentum);
    }

    /// <summary>The rate the optimizer used last.</summary>
    public double Current => optimizer.ParamGroups.First().LearningRate;

    /// <summary>Gives the epoch's metrics to the metric scheduler, which may cut the base rate (recorded and logged).</summary>
    public void AfterEpoch(int epoch, IReadOnlyDictionary<string, double> metrics)
    {
        if (options.MetricScheduler is not { } scheduler) return;
        rates.Follow(epoch, scheduler.Step(metrics[scheduler.Monitor], rates.BaseRate, out var message), message ?? scheduler.GetType().Name);
        if (message is not null) logger.LogInformation("Epoch {Epoch}: {Message}", epoch + 1, message);
    }
}
