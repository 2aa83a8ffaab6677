namespace SequenceKit.Layers;

/// <summary>Options shared by <see cref="SimpleRnn"/>, <see cref="Lstm"/> and <see cref="Gru"/>. Each default is written here once.</summary>
public record RecurrentOptions
{
    /// <summary>How many recurrent layers are stacked, each feeding its sequence to the next. From 1 to 64. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>
    /// Run a second layer over the reversed sequence and concatenate both, doubling the output features. Default false.
    /// </summary>
    public bool Bidirectional { get; init; }

    /// <summary>
    /// Dropout probability applied between stacked layers during training, in [0, 1); needs <see cref="Layers"/> ≥ 2.
    /// (For dropout after the last layer, add a <see cref="Dropout"/> layer.) Default 0.
    /// </summary>
    public double Dropout { get; init; }

    /// <summary>
    /// True: output the whole sequence (batch, time, features), to feed another recurrent layer or a per-step Dense.
    /// False: output only the last step (batch, features), which for a bidirectional layer is the forward direction's
    /// last step joined with the backward direction's first. Default false.
    /// </summary>
    public bool ReturnSequences { get; init; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option when a value is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    internal virtual void Validate()
    {
        if (Layers < 1)
            throw new ArgumentOutOfRangeException(nameof(Layers), Layers, $"{nameof(RecurrentOptions)}.{nameof(Layers)} must be at least 1; got {Layers}.");
        LayerLimits.CheckRecurrentLayers(Layers);
        if (!(Dropout >= 0 && Dropout < 1))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, $"{nameof(RecurrentOptions)}.{nameof(Dropout)} must be in [0, 1); got {Dropout}.");
        if (Dropout > 0 && Layers == 1)
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout,
                $"{nameof(RecurrentOptions)}.{nameof(Dropout)} applies between stacked layers and would do nothing with {nameof(Layers)} = 1; got {Dropout}. " +
                "Set Layers to 2 or more, or add a Dropout layer after this one.");
    }
}
