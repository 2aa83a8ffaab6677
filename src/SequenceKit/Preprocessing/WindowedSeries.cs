namespace SequenceKit.Preprocessing;

/// <summary>Windows cut from a series: inputs and the targets that follow them.</summary>
/// <param name="Inputs">(samples, window, features): the series rows <c>[start, start + window)</c>.</param>
/// <param name="Targets">
/// (samples, horizon · target features): the target features of rows <c>[start + window, start + window + horizon)</c>,
/// step by step, so column <c>h · targetFeatures + j</c> is target feature j at step h + 1 after the window.
/// </param>
/// <param name="Starts">Each window's first row in the original series.</param>
public sealed record WindowedSeries(float[,,] Inputs, float[,] Targets, int[] Starts)
{
    /// <summary>The number of windows.</summary>
    public int Count => Starts.Length;
}
