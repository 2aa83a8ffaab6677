namespace SequenceKit.Layers;

/// <summary>The activation a <see cref="Dense"/> layer applies to its output.</summary>
public enum Activation
{
    /// <summary>No activation: the layer outputs logits (use with cross-entropy from logits).</summary>
    None,

    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>tanh(x), in (-1, 1).</summary>
    Tanh,

    /// <summary>1 / (1 + e^-x), in (0, 1).</summary>
    Sigmoid,

    /// <summary>Softmax over the last (feature) axis: a probability distribution per sample (and per time step).</summary>
    Softmax,
}
