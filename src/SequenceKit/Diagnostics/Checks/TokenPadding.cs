using SequenceKit.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>Where the padding (token 0) sits in token rows, and the two repairs the SK020 experiments try.</summary>
internal static class TokenPadding
{
    /// <summary>Per row: padding tokens before the first real token, and after the last one (a row of padding only counts as neither).</summary>
    public static (long[] Leading, long[] Trailing) Of(Tensor tokens)
    {
        using var scope = NewDisposeScope();
        var real = tokens.ne(Vocabulary.PaddingIndex).to(ScalarType.Int64);                         // (B, T)
        var leading = real.cumsum(1).eq(0).to(ScalarType.Int64).sum([1]);                           // zeros before the first real token
        var trailing = real.flip(1).cumsum(1).eq(0).to(ScalarType.Int64).sum([1]);                  // zeros after the last one
        var steps = tokens.shape[1];
        var empty = leading.eq(steps);
        leading = leading.masked_fill(empty, 0);
        trailing = trailing.masked_fill(empty, 0);
        return (leading.cpu().data<long>().ToArray(), trailing.cpu().data<long>().ToArray());
    }

    /// <summary>
    /// A token batch with each row's leading padding moved to its end (<paramref name="moveToEnd"/>), and/or with lengths
    /// up to each row's last real token (<paramref name="lengthsFromPadding"/>, at least 1).
    /// </summary>
    public static DataBatch Transform(DataBatch batch, bool moveToEnd, bool lengthsFromPadding)
    {
        var tokens = batch.Inputs;                                                                   // (B, T) int64
        var steps = tokens.shape[1];
        var lengths = batch.Lengths;
        if (moveToEnd)
        {
            var real = tokens.ne(Vocabulary.PaddingIndex).to(ScalarType.Int64);
            var lead = real.cumsum(1).eq(0).to(ScalarType.Int64).sum([1]).unsqueeze(1);            // (B, 1)
            var positions = arange(steps, dtype: ScalarType.Int64, device: tokens.device).unsqueeze(0) + lead;   // (B, T)
            var inside = positions.lt(steps);
            tokens = tokens.gather(1, positions.clamp_max(steps - 1)).masked_fill(inside.logical_not(), Vocabulary.PaddingIndex);
        }
        if (lengthsFromPadding)
        {
            var real = tokens.ne(Vocabulary.PaddingIndex).to(ScalarType.Int64);
            var positions = arange(1, steps + 1, dtype: ScalarType.Int64, device: tokens.device);
            lengths = (real * positions).amax([1]).clamp_min(1).cpu();                             // (B) on the CPU, as packing needs
        }
        return new DataBatch(tokens, batch.Targets, lengths, batch.Indices);
    }
}
