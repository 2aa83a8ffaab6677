using SequenceKit.Backends;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Inputs, targets and optional sequence lengths, aligned by row, that yield (shuffled) mini-batches as tensors on a
/// device. The data stays where it is; each batch gathers only its own rows (<c>index_select</c>) and moves them.
/// </summary>
public sealed class SequenceDataset : IDisposable
{
    private readonly Tensor inputs, targets;
    private readonly Tensor? lengths;
    private readonly bool ownsTensors;

    /// <summary>Wraps tensors that share their first (sample) dimension. The caller keeps ownership of them.</summary>
    /// <param name="inputs">(samples, …): tokens (samples, time), sequences (samples, time, features) or vectors.</param>
    /// <param name="targets">(samples, …): class indices (samples), one-hot (samples, classes) or values.</param>
    /// <param name="lengths">(samples) integer lengths, or null.</param>
    /// <exception cref="ArgumentException">The sample counts differ, there are no samples, or lengths is not one integer per sample.</exception>
    public SequenceDataset(Tensor inputs, Tensor targets, Tensor? lengths = null) : this(inputs, targets, lengths, owns: false) { }

    private SequenceDataset(Tensor inputs, Tensor targets, Tensor? lengths, bool owns)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        NativeRuntime.EnsureAvailable();
        if (inputs.Dimensions == 0 || inputs.shape[0] == 0)
            throw new ArgumentException($"inputs has no samples (shape [{string.Join(", ", inputs.shape)}]).", nameof(inputs));
        if (targets.Dimensions == 0 || targets.shape[0] != inputs.shape[0])
            throw new ArgumentException($"targets has {(targets.Dimensions == 0 ? 0 : targets.shape[0])} samples but inputs has {inputs.shape[0]}; they must be aligned row by row.", nameof(targets));
        if (lengths is not null && (lengths.Dimensions != 1 || lengths.shape[0] != inputs.shape[0] || !is_integral(lengths.dtype)))
            throw new ArgumentException($"lengths must be {inputs.shape[0]} integers (one per sample); got dtype {lengths.dtype}, shape [{string.Join(", ", lengths.shape)}].", nameof(lengths));
        (this.inputs, this.targets, this.lengths, ownsTensors) = (inputs, targets, lengths, owns);
    }

    /// <summary>
    /// A dataset that owns copies of arrays (or tensors). Each argument takes any numeric array type (see
    /// <see cref="NumericArray"/>): <c>float[,,]</c> or <c>double[,,]</c> sequences, <c>int[,]</c> or <c>long[,]</c>
    /// tokens; <c>int[]</c> or <c>long[]</c> class indices, <c>float[,]</c>/<c>double[,]</c> one-hot labels or values,
    /// <c>float[]</c>/<c>double[]</c> one value per sample (stored as one column, shape (samples, 1), to match a
    /// <c>Dense(1)</c> output).
    /// </summary>
    /// <param name="inputs">(samples, time, features) floating-point sequences, (samples, time) integer tokens, or (samples, features) vectors.</param>
    /// <param name="targets">Integer class indices (samples), or floating-point targets (samples[, time], outputs) or (samples).</param>
    /// <param name="lengths">One integer length per sample, or null.</param>
    /// <returns>A dataset that owns copies of the data (integers as int64, floating point as float32).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="inputs"/> or <paramref name="targets"/> is null.</exception>
    /// <exception cref="ArgumentException">The sample counts differ, lengths are not integers, or jagged rows differ in length.</exception>
    public static SequenceDataset FromArrays(NumericArray inputs, NumericArray targets, NumericArray? lengths = null)
    {
        inputs.Require(nameof(inputs));
        targets.Require(nameof(targets));
        if (lengths is { Source: not null } given && (!given.IsInteger || given.Rank != 1))
            throw new ArgumentException($"lengths must be one integer per sample (int[] or long[]); got {given.Describe()}.", nameof(lengths));
        return Own(
            () => inputs.ToTensor(nameof(inputs)),
            () =>
            {
                var y = targets.ToTensor(nameof(targets));
                return !targets.IsInteger && y.Dimensions == 1 ? y.unsqueeze(1) : y;     // one value per sample → (samples, 1)
            },
            lengths is { Source: not null } l ? () => l.ToTensor(nameof(lengths), ScalarType.Int64) : null);
    }

    /// <summary>The number of samples.</summary>
    public long Count => inputs.shape[0];

    internal Tensor Inputs => inputs;
    internal Tensor Targets => targets;
    internal Tensor? Lengths => lengths;

    /// <summary>Whether the dataset carries sequence lengths.</summary>
    public bool HasLengths => lengths is not null;

    /// <summary>The shape of one input sample (without the sample dimension).</summary>
    public long[] InputShape => inputs.shape[1..];

    /// <summary>The shape of one target (without the sample dimension); empty for class indices.</summary>
    public long[] TargetShape => targets.shape[1..];

    /// <summary>The dtype of the targets (int64 for class indices).</summary>
    public ScalarType TargetType => targets.dtype;

    /// <summary>The rows at the given indices, as a new dataset that owns its copies (e.g. a split's training rows).</summary>
    /// <param name="rows">Row indices.</param>
    /// <returns>The subset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public SequenceDataset Subset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var index = Indices(rows.Select(r => (long)r).ToArray());
        return new SequenceDataset(inputs.index_select(0, index).DetachFromDisposeScope(), targets.index_select(0, index).DetachFromDisposeScope(),
            lengths?.index_select(0, index).DetachFromDisposeScope(), owns: true);
    }

    /// <summary>
    /// The mini-batches of one pass over the data. Each batch is created when the enumeration reaches it; dispose it
    /// after the step (or create it inside the step's dispose scope).
    /// </summary>
    /// <param name="options">Batch size, shuffling, seed, last-batch rule and device; null for the defaults.</param>
    /// <returns>The batches.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The batch size is not positive.</exception>
    public IEnumerable<DataBatch> Batches(BatchOptions? options = null)
    {
        options ??= new BatchOptions();
        return Enumerate(options, BatchOrder(options));                     // BatchOrder checks the options now, not lazily
    }

    /// <summary>The row indices of each batch of one pass, without creating tensors (for custom loops).</summary>
    /// <param name="options">Batch size, shuffling, seed and last-batch rule; null for the defaults.</param>
    /// <returns>One index array per batch.</returns>
    public IReadOnlyList<long[]> BatchOrder(BatchOptions? options = null)
    {
        options ??= new BatchOptions();
        if (options.BatchSize <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.BatchSize, $"BatchOptions.BatchSize must be positive; got {options.BatchSize}.");
        var order = Enumerable.Range(0, (int)Count).Select(i => (long)i).ToArray();
        if (options.Shuffle) new Random(options.Seed).Shuffle(order);
        var batches = order.Chunk(options.BatchSize).ToList();
        if (options.DropLast && batches.Count > 0 && batches[^1].Length < options.BatchSize) batches.RemoveAt(batches.Count - 1);
        return batches;
    }

    /// <summary>Gathers the given rows into a batch on a device.</summary>
    /// <param name="rows">Row indices.</param>
    /// <param name="device">Where the batch goes; null for the CPU. Lengths stay on the CPU, as packing needs.</param>
    /// <returns>The batch.</returns>
    public DataBatch GetBatch(long[] rows, ComputeDevice? device = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var index = Indices(rows);
        var target = (device ?? ComputeDevice.Cpu).ToTorch();
        return new DataBatch(Gather(inputs, index, target), Gather(targets, index, target),
            lengths is null ? null : Gather(lengths, index, CPU), rows);

        static Tensor Gather(Tensor source, Tensor index, Device device)
        {
            var selected = source.index_select(0, index);
            // Device is a class without value equality: compare type and ordinal, not references.
            if (selected.device_type == device.type && (device.type == DeviceType.CPU || selected.device_index == device.index)) return selected;
            using (selected) return selected.to(device);
        }
    }

    /// <summary>Frees the tensors the dataset created (those of <see cref="FromArrays"/> and <see cref="Subset"/>).</summary>
    public void Dispose()
    {
        if (!ownsTensors) return;
        inputs.Dispose();
        targets.Dispose();
        lengths?.Dispose();
    }

    private IEnumerable<DataBatch> Enumerate(BatchOptions options, IReadOnlyList<long[]> order)
    {
        foreach (var rows in order) yield return GetBatch(rows, options.Device);
    }

    private Tensor Indices(long[] rows)
    {
        for (var i = 0; i < rows.Length; i++)
            if (rows[i] < 0 || rows[i] >= Count)
                throw new ArgumentOutOfRangeException(nameof(rows), rows[i], $"rows[{i}] = {rows[i]} is outside 0..{Count - 1}.");
        return tensor(rows);
    }

    private static SequenceDataset Own(Func<Tensor> inputs, Func<Tensor> targets, Func<Tensor>? lengths)
    {
        NativeRuntime.EnsureAvailable();
        Tensor? x = null, y = null, l = null;
        try
        {
            using var scope = NewDisposeScope();
            x = inputs().MoveToOuterDisposeScope();
            y = targets().MoveToOuterDisposeScope();
            l = lengths?.Invoke().MoveToOuterDisposeScope();
        }
        catch
        {
            x?.Dispose();
            y?.Dispose();
            throw;
        }
        x.DetachFromDisposeScope();
        y.DetachFromDisposeScope();
        l?.DetachFromDisposeScope();
        try
        {
            return new SequenceDataset(x, y, l, owns: true);
        }
        catch
        {
            x.Dispose();
            y.Dispose();
            l?.Dispose();
            throw;
        }
    }
}
