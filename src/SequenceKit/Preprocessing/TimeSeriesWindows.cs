namespace SequenceKit.Preprocessing;

/// <summary>
/// Cuts a series (time × features) into supervised samples: a window of past steps as input and the following
/// <see cref="WindowOptions.Horizon"/> steps as target. <see cref="CreateSplit"/> keeps every window, inputs and
/// targets, on one side of the train/validation boundary.
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

    private static WindowedSeries Cut(float[,] series, int begin, int end, WindowOptions options, string part)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Window <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Window, $"WindowOptions.Window must be positive; got {options.Window}.");
        if (options.Horizon <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Horizon, $"WindowOptions.Horizon must be positive; got {options.Horizon}.");
        if (options.Stride <= 0) throw new ArgumentOutOfRangeException(nameof(options), options.Stride, $"WindowOptions.Stride must be positive; got {options.Stride}.");
        var features = series.GetLength(1);
        if (features == 0) throw new ArgumentException("series has no features (shape [time, 0]).", nameof(series));
        var targets = options.TargetFeatures?.ToArray() ?? Enumerable.Range(0, features).ToArray();
        if (targets.Length == 0 || targets.Any(f => f < 0 || f >= features))
            throw new ArgumentException($"WindowOptions.TargetFeatures must name columns in 0..{features - 1}; got [{string.Join(", ", targets)}].", nameof(options));

        var span = options.Window + options.Horizon;
        var length = end - begin;
        if (length < span)
            throw new ArgumentException(
                $"The {part} has {length} steps, fewer than window ({options.Window}) + horizon ({options.Horizon}) = {span}; use a shorter window or more data.",
                nameof(options));
        var count = (length - span) / options.Stride + 1;
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
