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
}
