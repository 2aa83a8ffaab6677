using System.Numerics;
using Microsoft.Extensions.Logging;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Pads variable-length sequences into one rectangular batch and records each sequence's length (Keras'
/// <c>pad_sequences</c>). Pad at the end (the default) when the batch goes to a <c>SequenceModel</c>: masking and
/// packing take the first <c>length</c> steps of each row as real.
/// </summary>
public static class PadSequences
{
    /// <summary>Pads token-index sequences into (batch, time).</summary>
    /// <typeparam name="T">The integer type of the tokens (<c>int</c>, <c>long</c>, …), inferred from the argument.</typeparam>
    /// <param name="sequences">
    /// One token sequence per sample, in any collection of integer collections: <c>List&lt;int[]&gt;</c>,
    /// <c>long[][]</c>, <c>IEnumerable&lt;IEnumerable&lt;int&gt;&gt;</c>, a vocabulary's encoded texts, …; may differ in
    /// length, may be empty.
    /// </param>
    /// <param name="options">Length, sides and pad value; null for the defaults (post-padding to the longest, pad 0).</param>
    /// <returns>The padded batch, its lengths and any warnings.</returns>
    /// <exception cref="ArgumentException">No sequences, a null sequence, or a pad value that is not an integer.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PaddingOptions.MaxLength"/> is not positive.</exception>
    public static PaddedBatch<long[,]> Tokens<T>(IEnumerable<IEnumerable<T>> sequences, PaddingOptions? options = null)
        where T : struct, IBinaryInteger<T>
    {
        ArgumentNullException.ThrowIfNull(sequences);
        return TokenRows(sequences.Select(sequence => sequence?.Select(long.CreateChecked).ToArray()).ToList()!, options);
    }

    private static PaddedBatch<long[,]> TokenRows(IReadOnlyList<long[]> sequences, PaddingOptions? options)
    {
        options ??= new PaddingOptions();
        if (options.PadValue != Math.Floor(options.PadValue) || double.IsInfinity(options.PadValue))
            throw new ArgumentException($"PaddingOptions.PadValue must be an integer for token sequences; got {options.PadValue}.", nameof(options));
        var pad = (long)options.PadValue;
        var (length, warnings) = Plan(sequences, s => s.Length, options);
        var values = new long[sequences.Count, length];
        var lengths = new long[sequences.Count];
        for (var i = 0; i < sequences.Count; i++)
        {
            var (from, count, at) = Place(sequences[i].Length, length, options);
            for (var t = 0; t < length; t++) values[i, t] = pad;
            for (var t = 0; t < count; t++) values[i, at + t] = sequences[i][from + t];
            lengths[i] = count;
            if (pad == 0 && warnings.Count < 10)
            {
                var inner = Enumerable.Range(from, count).FirstOrDefault(t => sequences[i][t] == 0, -1);
                if (inner >= 0)
                    warnings.Add($"Sequence {i} holds the pad value 0 at position {inner}; an Embedding with MaskZero treats it as padding. Reserve index 0 for padding (a Vocabulary does).");
            }
        }
        if (pad != 0)
            warnings.Add($"PadValue is {pad}, not 0: an Embedding with MaskZero masks only 0, so pass the lengths to SequenceModel.forward(values, lengths).");
        return Finish(values, lengths, warnings, options);
    }

    /// <summary>Pads univariate float sequences into (batch, time, 1).</summary>
    /// <param name="sequences">One series per sample.</param>
    /// <param name="options">Length, sides and pad value; null for the defaults.</param>
    /// <returns>The padded batch, its lengths and any warnings.</returns>
    /// <exception cref="ArgumentException">No sequences or a null sequence.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PaddingOptions.MaxLength"/> is not positive.</exception>
    public static PaddedBatch<float[,,]> Series(IReadOnlyList<float[]> sequences, PaddingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var asMatrices = sequences.Select(s => s is null ? null! : To2D(s)).ToArray();
        return Series(asMatrices, options);

        static float[,] To2D(float[] s)
        {
            var m = new float[s.Length, 1];
            for (var t = 0; t < s.Length; t++) m[t, 0] = s[t];
            return m;
        }
    }

    /// <summary>Pads multivariate float sequences, each (time × features), into (batch, time, features).</summary>
    /// <param name="sequences">One series per sample; all with the same feature count.</param>
    /// <param name="options">Length, sides and pad value; null for the defaults.</param>
    /// <returns>The padded batch, its lengths and any warnings.</returns>
    /// <exception cref="ArgumentException">No sequences, a null sequence, or differing feature counts.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="PaddingOptions.MaxLength"/> is not positive.</exception>
    public static PaddedBatch<float[,,]> Series(IReadOnlyList<float[,]> sequences, PaddingOptions? options = null)
    {
        options ??= new PaddingOptions();
        var (length, warnings) = Plan(sequences, s => s.GetLength(0), options);
        var features = sequences[0].GetLength(1);
        for (var i = 1; i < sequences.Count; i++)
            if (sequences[i].GetLength(1) != features)
                throw new ArgumentException($"sequences[{i}] has {sequences[i].GetLength(1)} features but sequences[0] has {features}; every series needs the same features.", nameof(sequences));
        var values = new float[sequences.Count, length, features];
        var lengths = new long[sequences.Count];
        var pad = (float)options.PadValue;
        for (var i = 0; i < sequences.Count; i++)
        {
            var (from, count, at) = Place(sequences[i].GetLength(0), length, options);
            for (var t = 0; t < length; t++)
                for (var f = 0; f < features; f++)
                    values[i, t, f] = t >= at && t < at + count ? sequences[i][from + t - at, f] : pad;
            lengths[i] = count;
        }
        return Finish(values, lengths, warnings, options);
    }

    private static (int Length, List<string> Warnings) Plan<T>(IReadOnlyList<T> sequences, Func<T, int> lengthOf, PaddingOptions options)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        if (sequences.Count == 0) throw new ArgumentException("sequences is empty; give at least one sequence.", nameof(sequences));
        for (var i = 0; i < sequences.Count; i++)
            if (sequences[i] is null) throw new ArgumentException($"sequences[{i}] is null.", nameof(sequences));
        if (options.MaxLength is <= 0)
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxLength, $"PaddingOptions.MaxLength must be positive; got {options.MaxLength}.");
        if (!Enum.IsDefined(options.Padding) || !Enum.IsDefined(options.Truncating))
            throw new ArgumentOutOfRangeException(nameof(options), $"PaddingOptions.Padding and Truncating must be Pre or Post; got {options.Padding} and {options.Truncating}.");

        var longest = sequences.Max(lengthOf);
        var length = options.MaxLength ?? longest;                     // all empty: (n, 0), as Keras
        var warnings = new List<string>();
        if (options.Padding == PaddingSide.Pre)
            warnings.Add("Padding = Pre puts padding before the real steps; SequenceKit's masking and packing skip only trailing padding, so recurrent layers will run over it. Use Padding = Post.");
        var empty = Enumerable.Range(0, sequences.Count).Where(i => lengthOf(sequences[i]) == 0).Take(5).ToList();
        if (empty.Count > 0)
            warnings.Add($"Sequence(s) {string.Join(", ", empty)} are empty; a recurrent layer rejects all-padding sequences. Drop them before training.");
        return (length, warnings);
    }

    /// <summary>Where sequence values go: take <c>count</c> values starting at <c>from</c>, write them at <c>at</c>.</summary>
    private static (int From, int Count, int At) Place(int available, int length, PaddingOptions options)
    {
        var count = Math.Min(available, length);
        var from = available > length && options.Truncating == PaddingSide.Pre ? available - length : 0;
        var at = options.Padding == PaddingSide.Pre ? length - count : 0;
        return (from, count, at);
    }

    private static PaddedBatch<TArray> Finish<TArray>(TArray values, long[] lengths, List<string> warnings, PaddingOptions options) where TArray : class
    {
        var logger = SequenceKitLogging.Resolve(options.Logger, "SequenceKit.Preprocessing.PadSequences");
        foreach (var warning in warnings) logger.LogWarning("{Warning}", warning);
        return new PaddedBatch<TArray>(values, lengths, warnings.AsReadOnly());
    }
}
