namespace SequenceKit.Layers;

/// <summary>When <see cref="LstmInferenceGuard"/> reroutes LSTM inference on the CPU.</summary>
public enum LstmInferenceGuardMode
{
    /// <summary>Reroute only when a one-time self-test shows that this CPU's inference kernel disagrees with the training kernel (the default).</summary>
    Automatic,

    /// <summary>Always reroute CPU inference (correct everywhere; costs the speed of the faster kernel).</summary>
    Always,

    /// <summary>Never reroute: trust libtorch's inference kernel, even where it is wrong.</summary>
    Never,
}
