using TorchSharp;

namespace SequenceKit.Benchmarks;

/// <summary>
/// How the benchmarks set TorchSharp's intra-op threads: the environment variable SEQUENCEKIT_THREADS when set, else the
/// value asked for, else all logical cores (Environment.ProcessorCount), which is also libtorch's own default.
/// </summary>
public static class Threads
{
    /// <summary>The environment variable that overrides the thread count.</summary>
    public const string EnvironmentVariable = "SEQUENCEKIT_THREADS";

    /// <summary>Sets torch's intra-op thread count.</summary>
    /// <param name="requested">A thread count, or null for the default.</param>
    public static void Apply(int? requested = null)
    {
        var fromEnvironment = int.TryParse(Environment.GetEnvironmentVariable(EnvironmentVariable), out var n) && n > 0 ? n : (int?)null;
        torch.set_num_threads(fromEnvironment ?? requested ?? Environment.ProcessorCount);
    }
}
