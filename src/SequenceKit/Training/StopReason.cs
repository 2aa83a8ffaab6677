namespace SequenceKit.Training;

/// <summary>Why a training run ended.</summary>
public enum StopReason
{
    /// <summary>All epochs ran.</summary>
    Completed,

    /// <summary>The monitored metric stopped improving (<c>EarlyStopping</c>).</summary>
    EarlyStopping,

    /// <summary>The cancellation token was cancelled; training stopped at a batch boundary.</summary>
    Cancelled,

    /// <summary>The loss became NaN or infinite (<c>TerminateOnNaN</c>).</summary>
    NonFiniteLoss,

    /// <summary>A callback asked to stop for another reason.</summary>
    Callback,

    /// <summary>
    /// An optimizer step left a parameter NaN or infinite (a hyperparameter out of its useful range, a custom optimizer,
    /// an overflow). The trainer put the weights back to the start of that epoch (the optimizer's internal state is not
    /// rolled back) and stopped; <see cref="History.Events"/> holds a <see cref="ParametersRolledBack"/> naming the
    /// parameters. This check is always on.
    /// </summary>
    NonFiniteParameters,
}
