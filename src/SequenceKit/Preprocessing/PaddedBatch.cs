using TorchSharp;

namespace SequenceKit.Preprocessing;

/// <summary>A padded batch: the values, each sequence's real length after truncation, and warnings about the choices made.</summary>
/// <typeparam name="TArray"><c>long[,]</c> (batch, time) for tokens or <c>float[,,]</c> (batch, time, features) for series.</typeparam>
/// <param name="Values">The padded values.</param>
/// <param name="Lengths">Real (unpadded) length of each sequence, at most the padded length.</param>
/// <param name="Warnings">Conflicts between the options and the data or SequenceKit's masking; empty when there are none.</param>
public sealed record PaddedBatch<TArray>(TArray Values, long[] Lengths, IReadOnlyList<string> Warnings) where TArray : class
{
    /// <summary>The lengths as an int64 tensor of shape (batch), for <c>SequenceModel.forward(values, lengths)</c>.</summary>
    /// <returns>A new CPU tensor.</returns>
    public torch.Tensor LengthsTensor()
    {
        Backends.NativeRuntime.EnsureAvailable();
        return torch.tensor(Lengths);
    }

    /// <summary>The values as a tensor: int64 (batch, time) for tokens, float32 (batch, time, features) for series.</summary>
    /// <returns>A new CPU tensor.</returns>
    public torch.Tensor ValuesTensor()
    {
        Backends.NativeRuntime.EnsureAvailable();
        return Values switch
        {
            long[,] tokens => torch.tensor(tokens),
            float[,,] series => torch.tensor(series),
            _ => throw new InvalidOperationException($"Unsupported padded values of type {Values.GetType().Name}."),
        };
    }
}
