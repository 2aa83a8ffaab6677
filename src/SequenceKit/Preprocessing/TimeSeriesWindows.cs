using static TorchSharp.torch;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Cuts a series (time × features) into supervised samples: a window of past steps as input and the following
/// <see cref="WindowOptions.Horizon"/> steps as target. <see cref="CreateSplit"/> keeps every window, inputs and
/// targets, on one side of the train/validation boundary. <see cref="CreateDataset"/> and
/// <see cref="CreateDatasetSplit"/> give the same windows as a <see cref="SequenceDataset"/> without copying them: the
/// series is stored once and each batch gathers its own windows, so memory is O(series), not O(series × window).
/// </summary>
public static class TimeSeriesWindows
{
    /// <summary>Cuts the whole series into windows.</summary>
    /// <param name="series">(time, features) values, oldest first, or (time) for one feature: <c>float[,]</c>, <c>double[,]</c>, <c>float[]</c>, <c>double[]</c>, … (see <see cref="NumericArray"/>).</param>
    /// <param name="options">Window, horizon, stride and target features.</param>
    /// <returns>The windows (float32).</returns>
    /// <exception cref="ArgumentException">The series is shorter than window + horizon, not of rank 1 or 2, or a target feature does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Window, horizon or stride is not positive.</exception>
    public static WindowedSeries Create(NumericArray series, WindowOptions options)
    {
        var values = series.ToFloatMatrix(nameof(series));
        return Cut(values, 0, values.GetLength(0), options, nameof(series));
    }

    /// <summary>
    /// Cuts training windows from rows <c>[0, validationStart)</c> and validation windows from rows
    /// <c>[validationStart, time)</c>, so no window, input or target, crosses the boundary.
    /// </summary>
    /// <param name="series">(time, features) values, oldest first, or (time) for one feature (see <see cref="NumericArray"/>).</param>
    /// <param name="validationStart">The first row of the validation part.</param>
    /// <param name="options">Window, horizon, stride and target features.</param>
    /// <returns>The training and validation windows.</returns>
    /// <exception cref="ArgumentException">A part is shorter than window + horizon.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationStart"/> is outside (0, time), or an option is out of range.</exception>
    public static (WindowedSeries Train, WindowedSeries Validation) CreateSplit(NumericArray series, int validationStart, WindowOptions options)
    {
        var values = series.ToFloatMatrix(nameof(series));
        var time = values.GetLength(0);
        if (validationStart <= 0 || validationStart >= time)
            throw new ArgumentOutOfRangeException(nameof(validationStart), validationStart, $"validationStart must be in (0, {time}) for a series of {time} steps; got {validationStart}.");
        return (Cut(values, 0, validationStart, options, "training part"), Cut(values, validationStart, time, options, "validation part"));
    }

    /// <summary>
    /// The windows of <see cref="Create"/> as a dataset that stores the series once (float32) and gathers each batch's
    /// windows when the batch is made: row <c>i</c>'s input is steps <c>[i·stride, i·stride + window)</c> and its target
    /// the <see cref="WindowOptions.Horizon"/> steps after them, exactly as <see cref="Create"/> (batches are
    /// bit-identical to <c>SequenceDataset.FromArrays(windows.Inputs, windows.Targets)</c>). Memory: the series plus
    /// the targets (samples × horizon × target features), however long the window.
    /// </summary>
    /// <param name="series">(time, features) values, oldest first, or (time) for one feature: arrays or a tensor (see <see cref="NumericArray"/>).</param>
    /// <param name="options">Window, horizon, stride and target features.</param>
    /// <returns>The dataset; it owns its copy of the series.</returns>
    /// <exception cref="ArgumentException">The series is shorter than window + horizon, not of rank 1 or 2, or a target feature does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Window, horizon or stride is not positive.</exception>
    public static SequenceDataset CreateDataset(NumericArray series, WindowOptions options)
    {
        using var values = SeriesTensor(series);
        return Windows(values, 0, (int)values.shape[0], options, nameof(series));
    }

    /// <summary>
    /// The windows of <see cref="CreateSplit"/> as two datasets that share one stored copy of the series (see
    /// <see cref="CreateDataset"/>): training windows from rows <c>[0, validationStart)</c>, validation windows from
    /// rows <c>[validationStart, time)</c>.
    /// </summary>
    /// <param name="series">(time, features) values, oldest first, or (time) for one feature (see <see cref="NumericArray"/>).</param>
    /// <param name="validationStart">The first row of the validation part.</param>
    /// <param name="options">Window, horizon, stride and target features.</param>
    /// <returns>The training and validation datasets.</returns>
    /// <exception cref="ArgumentException">A part is shorter than window + horizon.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationStart"/> is outside (0, time), or an option is out of range.</exception>
    public static (SequenceDataset Train, SequenceDataset Validation) CreateDatasetSplit(NumericArray series, int validationStart, WindowOptions options)
    {
        using var values = SeriesTensor(series);
        var time = (int)values.shape[0];
        if (validationStart <= 0 || validationStart >= time)
            throw new ArgumentOutOfRangeException(nameof(validationStart), validationStart, $"validationStart must be in (0, {time}) for a series of {time} steps; got {validationStart}.");
        var train = Windows(values, 0, validationStart, options, "training part");
        try
        {
            return (train, Windows(values, validationStart, time, options, "validation part"));
        }
        catch
        {
            train.Dispose();
            throw;
        }
    }

    /// <summary>The series as a contiguous float32 (time, features) tensor of its own.</summary>
    private static Tensor SeriesTensor(NumericArray series)
    {
        series.Require(nameof(series));
        if (series.Rank is not (1 or 2))
            throw new ArgumentException($"series must be a vector (time) or a matrix (time, features); got {series.Describe()}.", nameof(series));
        var values = series.ToTensor(nameof(series), ScalarType.Float32);
        if (values.Dimensions == 2) return values;
        using (values) return values.unsqueeze(1).contiguous();
    }

    /// <summary>Rows [begin, end) of the series as windows: inputs a strided view of the series, targets gathered.</summary>
    private static SequenceDataset Windows(Tensor series, int begin, int end, WindowOptions options, string part)
    {
        var (targets, count) = CheckOptions(options, (int)series.shape[1], end - begin, part);
        using var scope = NewDisposeScope();
        // unfold gives (windows, features, window) as a view of the series; permute keeps it a view: (windows, window, features).
        var inputs = series.narrow(0, begin, end - begin).unfold(0, options.Window, options.Stride).narrow(0, 0, count).permute(0, 2, 1);
        var firstTarget = arange(count, dtype: ScalarType.Int64) * options.Stride + (begin + options.Window);
        var rows = firstTarget.unsqueeze(1) + arange(options.Horizon, dtype: ScalarType.Int64);               // (count, horizon)
        var columns = tensor(targets.Select(t => (long)t).ToArray());
        var outputs = series.index_select(1, columns).index_select(0, rows.flatten()).reshape(count, options.Horizon * targets.Length);
        return SequenceDataset.Owning(inputs.MoveToOuterDisposeScope(), outputs.contiguous().MoveToOuterDisposeScope());
    }

    /// <summary>Checks the options against a part of the series; returns the target columns and the window count.</summary>
    private static (int[] Targets, int Count) CheckOptions(WindowOptions options, int features, int length, string part)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Window <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Window, $"WindowOptions.Window must be positive; got {options.Window}.");
        if (options.Horizon <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Horizon, $"WindowOptions.Horizon must be positive; got {options.Horizon}.");
        if (options.Stride <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Stride, $"WindowOptions.Stride must be positive; got {options.Stride}.");
        if (features == 0) throw new ArgumentException("series has no features (shape [time, 0]).", "series");
        var targets = options.TargetFeatures?.ToArray() ?? Enumerable.Range(0, features).ToArray();
        if (targets.Length == 0 || targets.Any(f => f < 0 || f >= features))
            throw new ArgumentException($"WindowOptions.TargetFeatures must name columns in 0..{features - 1}; got [{string.Join(", ", targets)}].", nameof(options));

        var span = options.Window + options.Horizon;
        if (length < span)
            throw new ArgumentException(
                $"The {part} has {length} steps, fewer than window ({options.Window}) + horizon ({options.Horizon}) = {span}; use a shorter window or more data.",
                nameof(options));
        return (targets, (length - span) / options.Stride + 1);
    }

    private static WindowedSeries Cut(float[,] series, int begin, int end, WindowOptions options, string part)
    {
        var features = series.GetLength(1);
        var (targets, count) = CheckOptions(options, features, end - begin, part);
        var inputs = new float[count, options.Window, features];
        var outputs = new float[count, options.Horizon * targets.Length];
        var starts = new int[count];
        for (var i = 0; i < count; i++)
        {
            var start = begin + i * options.Stride;
            starts[i] = start;
            for (var t = 0; t < options.Window; t++)
                for (var f = 0; f < features; f++)
                    inputs[i, t, f] = series[start + t, f];
            for (var h = 0; h < options.Horizon; h++)
                for (var j = 0; j < targets.Length; j++)
                    outputs[i, h * targets.Length + j] = series[start + options.Window + h, targets[j]];
        }
        return new WindowedSeries(inputs, outputs, starts);
    }
}
