namespace SequenceKit.Layers;

/// <summary>Options of a <see cref="SimpleRnn"/>: the shared recurrent options plus its non-linearity.</summary>
public sealed record SimpleRnnOptions : RecurrentOptions
{
    /// <summary>The recurrence's non-linearity. Default <see cref="SimpleRnnActivation.Tanh"/>.</summary>
    public SimpleRnnActivation Activation { get; init; } = SimpleRnnActivation.Tanh;

    internal override void Validate()
    {
        base.Validate();
        if (!Enum.IsDefined(Activation))
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, $"{nameof(SimpleRnnOptions)}.{nameof(Activation)} must be Tanh or Relu; got {Activation}.");
    }
}
