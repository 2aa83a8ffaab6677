using SequenceKit.Backends;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Tests;

/// <summary>Seeded inputs and options shared by the tests.</summary>
internal static class TestData
{
    /// <summary>Options with a fixed seed; device left to automatic selection (CPU here, CUDA on a GPU machine).</summary>
    public static SequenceModelOptions Seeded(long seed = 42) => new() { Seed = seed };

    /// <summary>Standard-normal floats of the given shape from a generator of its own.</summary>
    public static Tensor Normal(long seed, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return randn(shape, generator: generator);
    }

    /// <summary>Token indices in [1, vocabulary) (no padding token) of the given shape.</summary>
    public static Tensor Tokens(long seed, long vocabulary, params long[] shape)
    {
        using var generator = new Generator((ulong)seed);
        return randint(1, vocabulary, shape, dtype: ScalarType.Int64, generator: generator);
    }

    /// <summary>A probe that answers as configured, for device-selection tests.</summary>
    public sealed record FakeCuda(bool IsAvailable, int DeviceCount) : ICudaProbe;

    public static void AssertClose(Tensor expected, Tensor actual, double tolerance = 1e-5)
    {
        Assert.That(actual.shape, Is.EqualTo(expected.shape), "shape");
        var difference = (expected.cpu() - actual.cpu()).abs().max().item<float>();
        Assert.That(difference, Is.LessThanOrEqualTo(tolerance), $"max |expected − actual| = {difference}");
    }
}
