using SequenceKit.Backends;

namespace SequenceKit.Preprocessing;

/// <summary>How <see cref="SequenceDataset.Batches"/> forms mini-batches. Each default is written here once.</summary>
public sealed record BatchOptions
{
    /// <summary>Samples per batch; positive. Default 32.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Visit the samples in a random order. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seeds the shuffle; the same seed gives the same order (vary it per epoch). Default 0.</summary>
    public int Seed { get; init; }

    /// <summary>Drop the last batch when it is smaller than <see cref="BatchSize"/>. Default false (keep it).</summary>
    public bool DropLast { get; init; }

    /// <summary>The device batches are moved to; null for the CPU. Default null.</summary>
    public ComputeDevice? Device { get; init; }
}
