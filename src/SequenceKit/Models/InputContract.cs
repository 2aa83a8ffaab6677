using System.Globalization;
using SequenceKit.Data;
using SequenceKit.Layers;
using static TorchSharp.torch;

namespace SequenceKit.Models;

/// <summary>
/// The one input contract of a model, derived from its input shape: what a data set, the inputs given to Predict and
/// a batch given to <see cref="SequenceModel.forward(Tensor, Tensor?)"/> must hold. The same code checks all three;
/// the <see cref="InputRole"/> names the data in the message and supplies the argument name.
/// <list type="bullet">
/// <item>Shape per sample: tokens <c>[time]</c> for a model that starts with an Embedding, <c>[time, features]</c>
/// for sequences, <c>[features]</c> for vectors (<see cref="CheckShape"/>).</item>
/// <item>Values, read a chunk of rows at a time so that no temporary of the whole data's size is allocated (a
/// memory-mapped file, lazy windows) and a bad value is reported at its row in the data, before any optimizer step:
/// token indices inside the Embedding's vocabulary and finite features (both unless
/// <see cref="SequenceModelOptions.ValidateInputs"/> is false), lengths in [1, time], and no row that is all padding
/// when recurrent layers must run over it (<see cref="CheckRows"/>).</item>
/// </list>
/// Inputs whose rank or dtype do not fit the model are left by <see cref="CheckRows"/> to the forward pass's checks,
/// which explain those.
/// </summary>
internal static class InputContract
{
    /// <summary>Throws <see cref="ArgumentException"/> when a data set's per-sample input shape does not fit the model.</summary>
    /// <param name="model">The model.</param>
    /// <param name="perSample">The data set's input shape per sample (without the sample dimension).</param>
    /// <param name="role">Which data this is.</param>
    public static void CheckShape(SequenceModel model, IReadOnlyList<long> perSample, InputRole role)
    {
        var expected = model.InputShape;
        var fits = expected.Kind switch
        {
            ShapeKind.Tokens => perSample.Count == 1,
            ShapeKind.Sequence => perSample.Count == 2 && perSample[1] == expected.Features,
            _ => perSample.Count == 1 && perSample[0] == expected.Features,
        };
        if (fits) return;
        var wanted = expected.Kind switch
        {
            ShapeKind.Sequence => F($"[time, {expected.Features}]"),
            ShapeKind.Tokens => "[time]",
            _ => F($"[{expected.Features}]"),
        };
        throw new ArgumentException(
            F($"The {role.Noun()}'s inputs have shape per sample [{string.Join(", ", perSample)}], but the model takes {expected} (per sample {wanted})."),
            role.ParamName());
    }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> when a tensor of inputs does not fit the model: its rank, an empty batch
    /// or time axis, its dtype (integer token indices for an Embedding, floating-point features otherwise) and its
    /// feature count.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="input">(batch, …) inputs.</param>
    /// <param name="role">Which data this is.</param>
    public static void CheckTensor(SequenceModel model, Tensor input, InputRole role)
    {
        var expected = model.InputShape;
        var dimensions = input.shape;
        var name = role.Noun();
        string Shape() => F($"[{string.Join(", ", dimensions)}]");               // built only for an error message
        if (input.Dimensions != expected.Rank)
            throw new ArgumentException(F($"{name} must have rank {expected.Rank}, shape {expected}; got rank {input.Dimensions}, shape {Shape()}."), role.ParamName());
        if (dimensions[0] == 0)
            throw new ArgumentException(F($"{name} has batch size 0 (shape {Shape()}); give at least one sample."), role.ParamName());
        if (expected.Kind == ShapeKind.Tokens)
        {
            if (!is_integral(input.dtype))
                throw new ArgumentException(
                    F($"{name} must hold integer token indices for the model's Embedding; got dtype {input.dtype}. ") +
                    "Encode text with a vocabulary, or start the model with Input.Sequence(features) for float features.", role.ParamName());
            if (dimensions[1] == 0) throw new ArgumentException(F($"{name} has 0 time steps (shape {Shape()})."), role.ParamName());
            return;
        }
        if (dimensions[^1] != expected.Features)
            throw new ArgumentException(
                F($"{name} must have {expected.Features} features in its last dimension, shape {expected}; got {dimensions[^1]}, shape {Shape()}."), role.ParamName());
        if (!is_floating_point(input))
            throw new ArgumentException(
                F($"{name} must hold floating-point features; got dtype {input.dtype}. If these are token indices, start the model with an Embedding."), role.ParamName());
        if (expected.HasTimeAxis && dimensions[1] == 0)
            throw new ArgumentException(F($"{name} has 0 time steps (shape {Shape()})."), role.ParamName());
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad row of <paramref name="inputs"/>.</summary>
    /// <param name="model">The model the inputs are for.</param>
    /// <param name="inputs">(rows, …) inputs.</param>
    /// <param name="lengths">(rows) lengths, or null.</param>
    /// <param name="role">Which data this is.</param>
    public static void CheckRows(SequenceModel model, Tensor inputs, Tensor? lengths, InputRole role)
    {
        var expected = model.InputShape;
        if (inputs.Dimensions != expected.Rank || inputs.shape[0] == 0) return;
        using var scope = NewDisposeScope();
        if (expected.Kind == ShapeKind.Tokens)
        {
            if (!is_integral(inputs.dtype)) return;
            if (model.Options.ValidateInputs) CheckTokens(inputs, expected.Features, role);
        }
        else if (is_floating_point(inputs) && model.Options.ValidateInputs)
        {
            CheckFinite(inputs, role);
        }
        if (lengths is not null) CheckLengths(inputs, lengths, role);
        else if (expected.Kind == ShapeKind.Tokens && model.Layers[0] is Embedding { Options.MaskZero: true } && model.Layers.Any(l => l is RecurrentLayer))
            CheckNotAllPadding(inputs, role);
    }

    /// <summary>Token indices in [0, <paramref name="vocabularySize"/>): two reductions; the offender is looked up only when there is one.</summary>
    public static void CheckTokens(Tensor tokens, long vocabularySize, InputRole role)
    {
        using var scope = NewDisposeScope();
        var (min, max) = (tokens.min().to(ScalarType.Int64).item<long>(), tokens.max().to(ScalarType.Int64).item<long>());
        if (min >= 0 && max < vocabularySize) return;
        var bad = tokens.lt(0).logical_or(tokens.ge(vocabularySize));
        var count = bad.sum().item<long>();
        var rows = bad.any(1).sum().item<long>();
        var first = bad.nonzero()[0];                                   // (2): row, step
        var (row, step) = (first[0].item<long>(), first[1].item<long>());
        var value = tokens[row, step].to(ScalarType.Int64).item<long>();
        var where = role == InputRole.Batch
            ? F($"Token index {value} at [{row}, {step}] is out of range for the Embedding's vocabulary size {vocabularySize} (valid indices are 0..{vocabularySize - 1}; ")
            : F($"{role.Row(row)} holds token index {value} at step {step}, outside the Embedding's vocabulary 0..{vocabularySize - 1} (");
        throw new ArgumentException(
            where + F($"{count} such token(s) in {rows} row(s); the first is shown). Build the Embedding with the vocabulary's size, or map unknown tokens to the out-of-vocabulary index."),
            role.ParamName());
    }

    /// <summary>
    /// No NaN or ±Inf: one float64 sum per chunk on the fast path (NaN and ±Inf make it non-finite; a finite sum proves
    /// there are none); the first offender and the counts are looked up only when there is one.
    /// </summary>
    public static void CheckFinite(Tensor values, InputRole role)
    {
        var rows = values.shape[0];
        var step = TensorChunks.RowsPerChunk(values);
        long firstBadChunk = -1;
        if (rows > step) MemoryAdvice.WillNeed(values, 0, step);
        for (long start = 0; start < rows && firstBadChunk < 0; start += step)
        {
            using var scope = NewDisposeScope();
            if (start + step < rows) MemoryAdvice.WillNeed(values, start + step, Math.Min(step, rows - start - step));   // a mapped file: read the next chunk meanwhile
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
        double value;
        using (NewDisposeScope()) value = values[first!.Select(i => TensorIndex.Single(i)).ToArray()].to(ScalarType.Float64).item<double>();
        var where = first!.Length == 3 ? F($"step {first[1]}, feature {first[2]}") : F($"feature {first[^1]}");
        var range = values.dtype == ScalarType.Float64 ? " (float64 values beyond ±3.4e38 count as infinite: batches are float32)" : "";
        throw new ArgumentException(
            F($"{role.Row(first[0])} holds {value} at {where}, index [{string.Join(", ", first)}] ({nan} NaN and {infinite} infinite value(s){range} in {badRows} row(s); the first is shown). ") +
            "Clean or impute them before training (a scaler keeps NaN as NaN), or set SequenceModelOptions.ValidateInputs = false to skip this check.",
            role.ParamName());
    }

    /// <summary>A chunk as training sees it: float64 becomes float32, so values beyond float32's range show as ±Inf.</summary>
    private static Tensor AsBatch(Tensor chunk) => chunk.dtype == ScalarType.Float64 ? chunk.to(ScalarType.Float32) : chunk;

    private static void CheckLengths(Tensor inputs, Tensor lengths, InputRole role)
    {
        if (inputs.Dimensions < 2 || lengths.Dimensions != 1 || lengths.shape[0] != inputs.shape[0] || !is_integral(lengths.dtype)) return;
        var steps = inputs.shape[1];
        var values = lengths.to(ScalarType.Int64);
        var bad = values.lt(1).logical_or(values.gt(steps));
        if (!bad.any().item<bool>()) return;
        var row = bad.nonzero()[0, 0].item<long>();
        var count = bad.sum().item<long>();
        throw new ArgumentException(
            F($"{role.Row(row)} has length {values[row].item<long>()}, outside [1, {steps}] (the inputs have {steps} time steps; {count} row(s) are out of range). ") +
            "Remove empty sequences, or fix the lengths.",
            role.ParamName());
    }

    private static void CheckNotAllPadding(Tensor tokens, InputRole role)
    {
        var rows = tokens.shape[0];
        var step = TensorChunks.RowsPerChunk(tokens);
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
            F($"{role.Row(firstEmpty)} is all padding (every token is 0, which the Embedding's MaskZero treats as padding; {count} such row(s)), ") +
            "so the recurrent layers have nothing to run on. Remove empty sequences (or give them at least one real token).",
            role.ParamName());
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
