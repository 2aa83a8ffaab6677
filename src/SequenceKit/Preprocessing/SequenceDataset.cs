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
    private Data.NpyRowReader? rowReader;                 // set for .npy datasets, whose input rows are read from the file

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
        NumericArray.CheckLengths(lengths, nameof(lengths));
        return Own(
            () => inputs.ToTensor(nameof(inputs)),
            () =>
            {
                var y = targets.ToTensor(nameof(targets));
                return !targets.IsInteger && y.Dimensions == 1 ? y.unsqueeze(1) : y;     // one value per sample → (samples, 1)
            },
            lengths is { Source: not null } l ? () => l.ToTensor(nameof(lengths), ScalarType.Int64) : null);
    }

    /// <summary>
    /// A dataset over NumPy <c>.npy</c> files (e.g. written by <c>numpy.save</c> in Python), memory-mapped rather than
    /// read: nothing is copied when the dataset is made, each batch reads only its own rows from the files (input rows
    /// with positioned reads; <c>Fit</c> and <c>Evaluate</c> ask for the next batches' rows ahead), and the operating
    /// system keeps or drops the pages (the first use checks every value once). A file larger than the memory available
    /// to the process works: a 4 GB file under a 1 GB limit trained at 0.81–0.87× the speed of the same data in memory
    /// (docs/performance.md). Types: float32, float64 (converted to float32 per
    /// batch), int32 and int64 (tokens, class indices, lengths; converted to int64 per batch), little-endian, C order.
    /// The same shapes as <see cref="FromArrays"/>: a 1-D floating-point targets file is one value per sample.
    /// </summary>
    /// <param name="inputsPath">(samples, time, features) sequences, (samples, time) tokens or (samples, features) vectors.</param>
    /// <param name="targetsPath">(samples) class indices, or (samples[, time], outputs) or (samples) values.</param>
    /// <param name="lengthsPath">(samples) integer lengths, or null.</param>
    /// <returns>The dataset; dispose it to unmap and close the files.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="Data.DataFileException">A file is not a .npy file, is truncated, of another type or in Fortran order (the message names it).</exception>
    /// <exception cref="ArgumentException">The files do not hold the same number of rows.</exception>
    public static SequenceDataset FromNpy(string inputsPath, string targetsPath, string? lengthsPath = null)
    {
        NativeRuntime.EnsureAvailable();
        var headers = new[] { inputsPath, targetsPath, lengthsPath }.Select(p => p is null ? null : Data.NpyFile.ReadHeader(p)).ToArray();
        if (headers[2] is { } l && (l.Shape.Length != 1 || l.Type is not (ScalarType.Int32 or ScalarType.Int64)))
            throw new Data.DataFileException(lengthsPath!, $"lengths must be one integer per sample; the file holds {l.Type} of shape ({string.Join(", ", l.Shape)}).");
        var dataset = Own(
            () => Data.NpyFile.Map(inputsPath, headers[0]!),
            () =>
            {
                var y = Data.NpyFile.Map(targetsPath, headers[1]!);
                return is_floating_point(y) && y.Dimensions == 1 ? y.unsqueeze(1) : y;      // one value per sample → (samples, 1)
            },
            lengthsPath is null ? null : () => Data.NpyFile.Map(lengthsPath, headers[2]!));
        try
        {
            dataset.rowReader = new Data.NpyRowReader(inputsPath, headers[0]!);
        }
        catch
        {
            dataset.Dispose();
            throw;
        }
        return dataset;
    }

    /// <summary>
    /// For a memory-mapped dataset: asks the kernel to start reading these rows now (a batch or two ahead of the one
    /// being trained), so the random reads of a shuffled epoch overlap the steps and each other instead of stalling the
    /// gather one page at a time. Nothing for data in memory.
    /// </summary>
    internal void ReadAhead(long[] rows)
    {
        if (rowReader is null) return;
        for (var i = 0; i < rows.Length;)
        {
            var first = rows[i];
            var count = 1;
            while (i + count < rows.Length && rows[i + count] == first + count) count++;      // a run of consecutive rows: one call
            if (first >= 0 && first + count <= Count)
            {
                rowReader.WillNeed(first, count);
                Data.MemoryAdvice.WillNeed(targets, first, count);
                if (lengths is not null) Data.MemoryAdvice.WillNeed(lengths, first, count);
            }
            i += count;
        }
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

    /// <summary>The dtype of the targets' batches (int64 for class indices, float32 for values).</summary>
    public ScalarType TargetType => BatchType(targets.dtype);

    /// <summary>What a stored dtype becomes in a batch: files may hold float64 or int32, models take float32 and int64.</summary>
    private static ScalarType BatchType(ScalarType stored) => stored switch
    {
        ScalarType.Float64 => ScalarType.Float32,
        ScalarType.Int32 => ScalarType.Int64,
        var same => same,
    };

    /// <summary>The rows at the given indices, as a new dataset that owns its copies (e.g. a split's training rows).</summary>
    /// <param name="rows">Row indices.</param>
    /// <returns>The subset.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside [0, Count).</exception>
    public SequenceDataset Subset(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var index = Indices(rows.Select(r => (long)r).ToArray());
        return new SequenceDataset(Select(inputs, index).DetachFromDisposeScope(), Select(targets, index).DetachFromDisposeScope(),
            lengths is null ? null : Select(lengths, index).DetachFromDisposeScope(), owns: true);
    }

    /// <summary>Rows of a stored tensor, converted to the batch dtype (float64 → float32, int32 → int64).</summary>
    private static Tensor Select(Tensor source, Tensor index) => Converted(source.index_select(0, index));

    /// <summary>The batch in its batch type (see <see cref="BatchType"/>), disposing the stored-type tensor when it converts.</summary>
    private static Tensor Converted(Tensor selected)
    {
        if (BatchType(selected.dtype) == selected.dtype) return selected;
        using (selected) return selected.to(BatchType(selected.dtype));
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
        // A .npy file's input rows are read with positioned reads (see NpyRowReader); the same bytes as the mapping holds.
        var inputBatch = rowReader is null ? Select(inputs, index) : Converted(rowReader.Read(rows));
        return new DataBatch(Moved(inputBatch, target), Moved(Select(targets, index), target),
            lengths is null ? null : Moved(Select(lengths, index), CPU), rows);

        static Tensor Moved(Tensor selected, Device device)
        {
            // Device is a class without value equality: compare type and ordinal, not references.
            if (selected.device_type == device.type && (device.type == DeviceType.CPU || selected.device_index == device.index)) return selected;
            using (selected) return selected.to(device);
        }
    }

    /// <summary>Frees the tensors the dataset created (those of <see cref="FromArrays"/> and <see cref="Subset"/>).</summary>
    public void Dispose()
    {
        rowReader?.Dispose();
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

    /// <summary>A dataset that owns the given tensors (moved out of any dispose scope), e.g. a strided view of windows.</summary>
    internal static SequenceDataset Owning(Tensor inputs, Tensor targets)
    {
        inputs.DetachFromDisposeScope();
        targets.DetachFromDisposeScope();
        return new SequenceDataset(inputs, targets, null, owns: true);
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
