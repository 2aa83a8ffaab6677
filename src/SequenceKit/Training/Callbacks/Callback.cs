namespace SequenceKit.Training.Callbacks;

/// <summary>
/// Hooks into a training run. Every hook does nothing by default; override the ones you need. Hooks run on the
/// training thread, in the order the callbacks are listed, between steps (no dispose scope is open).
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch (also when resuming). Check monitored metrics here.</summary>
    /// <param name="context">The run.</param>
    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>After the last epoch, or after a stop.</summary>
    /// <param name="context">The run.</param>
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>Before an epoch's first batch.</summary>
    /// <param name="context">The run; <see cref="TrainingContext.Epoch"/> is set.</param>
    public virtual void OnEpochBegin(TrainingContext context) { }

    /// <summary>After an epoch and its validation; <see cref="TrainingContext.EpochMetrics"/> holds its values.</summary>
    /// <param name="context">The run.</param>
    public virtual void OnEpochEnd(TrainingContext context) { }

    /// <summary>Before a batch.</summary>
    /// <param name="context">The run; <see cref="TrainingContext.Batch"/> is set.</param>
    public virtual void OnBatchBegin(TrainingContext context) { }

    /// <summary>After a batch's optimizer step; <see cref="TrainingContext.BatchLoss"/> holds its loss.</summary>
    /// <param name="context">The run.</param>
    public virtual void OnBatchEnd(TrainingContext context) { }
}
