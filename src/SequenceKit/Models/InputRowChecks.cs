using System.Globalization;
using SequenceKit.Layers;
using static TorchSharp.torch;

namespace SequenceKit.Models;

/// <summary>
/// Checks a whole set of inputs (a dataset's, or those given to Predict) before the first batch, in a few vectorized
/// reductions, so that a bad value is reported at its row in the data (and its step and feature) instead of at its
/// position within a batch, and before any optimizer step was applied. The same rules as the per-batch checks of
/// <see cref="SequenceModel.forward(Tensor, Tensor?)"/>: token indices inside the Embedding's vocabulary and finite
/// features (both unless <see cref="SequenceModelOptions.ValidateInputs"/> is false), lengths in [1, time], and no row
/// that is all padding when recurrent layers must run over it. Inputs whose rank or dtype do not fit the model are left
/// to the model's own checks, which explain those.
/// </summary>
internal static class InputRowChecks
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad row of <paramref name="inputs"/>.</summary>
    /// <param name="model">The model the inputs are for.</param>
    /// <param name="inputs">(rows, …) inputs.</param>
    /// <param name="lengths">(rows) lengths, or null.</param>
    /// <param name="what">How messages name the data, e.g. "training set".</param>
    /// <param name="paramName">The argument the data came in.</param>
    public static void Check(SequenceModel model, Tensor inputs, Tensor? lengths, string what, string paramName)
    {
        var expected = model.InputShape;
        if (inputs.Dimensions != expected.Rank || inputs.shape[0] == 0) return;
        using var scope = NewDisposeScope();
        if (expected.Kind == ShapeKind.Tokens)
        {
            if (!is_integral(inputs.dtype)) return;
            if (model.Options.ValidateInputs) CheckTokens(inputs, expected.Features, what, paramName);
        }
        else if (is_floating_point(inputs) && model.Options.ValidateInputs)
        {
            CheckFinite(inputs, what, paramName);
        }
        if (lengths is not null) CheckLengths(inputs, lengths, what, paramName);
        else if (expected.Kind == ShapeKind.Tokens && model.Layers[0] is Embedding { Options.MaskZero: true } && model.Layers.Any(l => l is RecurrentLayer))
            CheckNotAllPadding(inputs, what, paramName);
    }

    private static void CheckTokens(Tensor tokens, long vocabularySize, string what, string paramName)
    {
        var (min, max) = (tokens.min().to(ScalarType.Int64).item<long>(), tokens.max().to(ScalarType.Int64).item<long>());
        if (min >= 0 && max < vocabularySize) return;
        var bad = tokens.lt(0).logical_or(tokens.ge(vocabularySize));
        var count = bad.sum().item<long>();
        var rows = bad.any(1).sum().item<long>();
        var first = bad.nonzero()[0];                                   // (2): row, step
        var (row, step) = (first[0].item<long>(), first[1].item<long>());
        var value = tokens[row, step].to(ScalarType.Int64).item<long>();
        throw new ArgumentException(
            F($"Row {row} of the {what} holds token index {value} at step {step}, outside the Embedding's vocabulary 0..{vocabularySize - 1} ") +
            F($"({count} such token(s) in {rows} row(s); the first is shown). Build the Embedding with the vocabulary's size, or map unknown tokens to the out-of-vocabulary index."),
            paramName);
    }

    /// <summary>
    /// Rows per chunk so that one chunk holds about <see cref="ChunkElements"/> values: the checks read big data (a
    /// memory-mapped file, windows that are a strided view of a series) a chunk at a time, so no temporary of the whole
    /// data's size (a float64 copy, a mask) is ever allocated.
    /// </summary>
    internal static long RowsPerChunk(Tensor values) => Math.Max(1, ChunkElements / Math.Max(1, values.numel() / Math.Max(1, values.shape[0])));

    private const long ChunkElements = 1L << 22;

    private static void CheckFinite(Tensor values, string what, string paramName)
    {
        // Fast path: one reduction per chunk. NaN and ±Inf make the float64 sum non-finite; a finite sum proves there are none.
        var rows = values.shape[0];
        var step = RowsPerChunk(values);
        long firstBadChunk = -1;
        Data.MemoryAdvice.WillNeed(values, 0, Math.Min(step, rows));
        for (long start = 0; start < rows && firstBadChunk < 0; start += step)
        {
            using var scope = NewDisposeScope();
            Data.MemoryAdvice.WillNeed(values, start + step, Math.Min(step, rows - start - step));   // a mapped file: read the next chunk meanwhile
            var chunk = AsBatch(values.narrow(0, start, Math.Min(step, rows - start)));
            if (!isfinite(chunk.sum(ScalarType.Float64)).item<bool>() && !isfinite(chunk).all().item<bool>()) firstBadChunk = start;
        }
        if (firstBadChunk < 0) return;

        // Error path: find the first bad value, and count them all (a second pass, chunk by chunk).
        long nan = 0, infinite = 0, badRows = 0;
        long[]? first = null;
        for (long start = firstBadChunk; start < rows; start += step)
        {
            using var scope = NewDisposeScope();
            var chunk = AsBatch(values.narrow(0, start, Math.Min(step, rows - start)));
            var bad = isfinite(chunk).logical_not();
            if (!bad.any().item<bool>()) continue;
            nan += isnan(chunk).sum().item<long>();
            infinite += isinf(chunk).sum().item<long>();
            badRows += bad.reshape(chunk.shape[0], -1).any(1).sum().item<long>();
            if (first is null)
            {
                first = bad.nonzero()[0].data<long>().ToArray();              // row in chunk[, step], feature
                first[0] += start;
            }
        }
        var value = values[first!.Select(i => TensorIndex.Single(i)).ToArray()].to(ScalarType.Float64).item<double>();
        var where = first!.Length == 3 ? F($"step {first[1]}, feature {first[2]}") : F($"feature {first[^1]}");
        var range = values.dtype == ScalarType.Float64 ? " (float64 values beyond ±3.4e38 count as infinite: batches are float32)" : "";
        throw new ArgumentException(
            F($"Row {first[0]} of the {what} holds {value} at {where} ({nan} NaN and {infinite} infinite value(s){range} in {badRows} row(s); the first is shown). ") +
            "Clean or impute them before training (a scaler keeps NaN as NaN), or set SequenceModelOptions.ValidateInputs = false to skip this check.",
            paramName);
    }

    /// <summary>A chunk as training sees it: float64 becomes float32, so values beyond float32's range show as ±Inf.</summary>
    private static Tensor AsBatch(Tensor chunk) => chunk.dtype == ScalarType.Float64 ? chunk.to(ScalarType.Float32) : chunk;

    private static void CheckLengths(Tensor inputs, Tensor lengths, string what, string paramName)
    {
        if (inputs.Dimensions < 2 || lengths.Dimensions != 1 || lengths.shape[0] != inputs.shape[0] || !is_integral(lengths.dtype)) return;
        var steps = inputs.shape[1];
        var values = lengths.to(ScalarType.Int64);
        var bad = values.lt(1).logical_or(values.gt(steps));
        if (!bad.any().item<bool>()) return;
        var row = bad.nonzero()[0, 0].item<long>();
        var count = bad.sum().item<long>();
        throw new ArgumentException(
            F($"Row {row} of the {what} has length {values[row].item<long>()}, outside [1, {steps}] (the inputs have {steps} time steps; {count} row(s) are out of range). ") +
            "Remove empty sequences, or fix the lengths.",
            paramName);
    }

    private static void CheckNotAllPadding(Tensor tokens, string what, string paramName)
    {
        var rows = tokens.shape[0];
        var step = RowsPerChunk(tokens);
        long firstEmpty = -1, count = 0;
        for (long start = 0; start < rows; start += step)
        {
            using var scope = NewDisposeScope();
            var empty = tokens.narrow(0, start, Math.Min(step, rows - start)).ne(0).any(1).logical_not();     // every token is the pad 0
            var here = empty.sum().item<long>();
            if (here == 0) continue;
            if (firstEmpty < 0) firstEmpty = start + empty.nonzero()[0, 0].item<long>();
            count += here;
        }
        if (firstEmpty < 0) return;
        throw new ArgumentException(
            F($"Row {firstEmpty} of the {what} is all padding (every token is 0, which the Embedding's MaskZero treats as padding; {count} such row(s)), ") +
            "so the recurrent layers have nothing to run on. Remove empty sequences (or give them at least one real token).",
            paramName);
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
