using System.Globalization;

namespace SequenceKit.Layers;

/// <summary>
/// Caps on layer sizes, checked in the layers' constructors and when they are built, before anything is allocated, so
/// that an absurd size (a typo, a corrupt configuration) gives an <see cref="ArgumentOutOfRangeException"/> naming the
/// argument, its value, the cap and the size of the tensor it would need, instead of a libtorch allocator error with
/// C++ frames or minutes of work. The caps are generous: no model SequenceKit is meant for comes near them.
/// </summary>
internal static class LayerLimits
{
    /// <summary>The most elements one parameter tensor may hold: <see cref="SequenceKitLimits.MaxTensorElements"/>.</summary>
    public const long MaxParameterElements = SequenceKitLimits.MaxTensorElements;

    /// <summary>The most stacked layers in one recurrent layer: <see cref="SequenceKitLimits.MaxRecurrentLayers"/>.</summary>
    public const int MaxRecurrentLayers = SequenceKitLimits.MaxRecurrentLayers;

    /// <summary>
    /// Throws when a size alone exceeds <see cref="MaxParameterElements"/> (a unit count, a vocabulary size): no
    /// parameter tensor could hold it.
    /// </summary>
    /// <param name="owner">The layer, e.g. "Dense".</param>
    /// <param name="argument">The argument's name, e.g. "units".</param>
    /// <param name="value">Its value.</param>
    public static void CheckSize(string owner, string argument, long value)
    {
        if (value <= MaxParameterElements) return;
        throw new ArgumentOutOfRangeException(argument, value, F(
            $"{owner}: {argument} = {value:N0} exceeds the cap of {MaxParameterElements:N0} elements (SequenceKitLimits.MaxTensorElements); a parameter with that many rows would need at least {Bytes(value)}."));
    }

    /// <summary>Throws when a rows × columns parameter would exceed <see cref="MaxParameterElements"/>.</summary>
    /// <param name="owner">The layer, e.g. "Embedding".</param>
    /// <param name="argument">The argument to blame, e.g. "vocabularySize".</param>
    /// <param name="value">Its value.</param>
    /// <param name="parameter">The parameter's name and shape in words, e.g. "weight (vocabularySize × dimension)".</param>
    /// <param name="rows">The parameter's rows.</param>
    /// <param name="columns">The parameter's columns.</param>
    public static void CheckParameter(string owner, string argument, long value, string parameter, long rows, long columns)
    {
        var elements = (Int128)rows * columns;
        if (elements <= MaxParameterElements) return;
        throw new ArgumentOutOfRangeException(argument, value, F(
            $"{owner}: {argument} = {value:N0} makes its {parameter} {rows:N0} × {columns:N0} = {elements:N0} elements ({Bytes(elements)} as float32), over the cap of {MaxParameterElements:N0} elements (8 GiB) per parameter (SequenceKitLimits.MaxTensorElements)."));
    }

    /// <summary>Throws when a recurrent layer stacks more than <see cref="MaxRecurrentLayers"/> layers.</summary>
    /// <param name="layers">The requested count.</param>
    public static void CheckRecurrentLayers(int layers)
    {
        if (layers <= MaxRecurrentLayers) return;
        throw new ArgumentOutOfRangeException(nameof(RecurrentOptions.Layers), layers, F(
            $"{nameof(RecurrentOptions)}.{nameof(RecurrentOptions.Layers)} = {layers:N0} exceeds the cap of {MaxRecurrentLayers} stacked layers (SequenceKitLimits.MaxRecurrentLayers)."));
    }

    private static string Bytes(Int128 elements)
    {
        var bytes = (double)elements * sizeof(float);
        string[] units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB"];
        var unit = 0;
        while (bytes >= 1024 && unit < units.Length - 1) { bytes /= 1024; unit++; }
        return F($"{bytes:0.#} {units[unit]}");
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
