namespace SequenceKit.Layers;

/// <summary>The non-linearity of a <see cref="SimpleRnn"/>'s recurrence.</summary>
public enum SimpleRnnActivation
{
    /// <summary>h = tanh(W x + U h + b), as Keras and PyTorch default to.</summary>
    Tanh,

    /// <summary>h = max(0, W x + U h + b).</summary>
    Relu,
}
