using System.Globalization;
using SequenceKit.Layers;
using static TorchSharp.torch;

namespace SequenceKit.Models;

/// <summary>
/// Compares a model file's architecture with its parameter list and its weights part while the model is built, so that
/// loading never allocates more parameters than the file holds. Before the model is built, <see cref="CheckTotal"/>
/// bounds the parameter list by the weights' byte count. Before each built-in layer is built, the parameters its
/// configuration implies (<see cref="LayerParameters"/>, computed without allocating) must be exactly the ones the
/// file lists for it, and all implied so far must fit in the weights part. A custom layer is built as before (bounded
/// by its own constructor) and its parameters are compared right after its Build, before any later layer is built.
/// Every refusal is a <see cref="ModelFileException"/> for <c>manifest.json</c> naming the layer, its implied size and
/// what the weights part holds.
/// </summary>
internal sealed class ModelFileLayerCheck : ILayerBuildGuard
{
    private const string ManifestPart = "manifest.json";
    private readonly string path;
    private readonly IReadOnlyDictionary<string, long[]> listed;
    private readonly long weightsBytes;
    private readonly int elementSize;
    private Int128 impliedSoFar;                       // elements of the layers checked so far

    /// <param name="path">The model file, for messages.</param>
    /// <param name="listed">The file's parameter list: name → shape.</param>
    /// <param name="weightsBytes">The byte count of the (already size- and hash-checked) weights part.</param>
    public ModelFileLayerCheck(string path, IReadOnlyDictionary<string, long[]> listed, long weightsBytes)
    {
        this.path = path;
        this.listed = listed;
        this.weightsBytes = weightsBytes;
        // Every layer creates its parameters in the default dtype (float32 unless the application changed it).
        elementSize = get_default_dtype() switch
        {
            ScalarType.Float64 or ScalarType.Int64 or ScalarType.ComplexFloat32 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            _ => 1,
        };
    }

    /// <summary>Refuses a parameter list that the weights part is too small to hold.</summary>
    /// <exception cref="ModelFileException">The listed parameters need more bytes than the weights part has.</exception>
    public void CheckTotal()
    {
        Int128 total = 0;
        foreach (var shape in listed.Values) total += Elements(shape);
        if (total * elementSize > weightsBytes)
            throw new ModelFileException(path, ManifestPart, F(
                $"its parameter list declares {total:N0} elements ({total * elementSize:N0} bytes at {elementSize} bytes each), but the weights part holds {weightsBytes:N0} bytes."));
    }

    /// <inheritdoc />
    public void BeforeBuild(int index, ISequenceLayer layer, LayerShape input)
    {
        if (LayerParameters.Expected(layer, input) is not { } expected) return;   // a custom layer: checked after its Build
        Check(index, layer, expected, F($"on input {input} implies"));
    }

    /// <inheritdoc />
    public void AfterBuild(int index, ISequenceLayer layer)
    {
        if (layer is Input or Embedding or RecurrentLayer or Dense or Layers.Dropout) return;   // checked before their Build
        var actual = layer.Module?.state_dict().Select(p => (p.Key, p.Value.shape)).ToList() ?? [];
        Check(index, layer, actual, "built");
    }

    private void Check(int index, ISequenceLayer layer, IReadOnlyList<(string Name, long[] Shape)> parameters, string verb)
    {
        var prefix = index.ToString(CultureInfo.InvariantCulture) + ".";
        Int128 elements = 0;
        foreach (var (_, shape) in parameters) elements += Elements(shape);
        impliedSoFar += elements;
        var stored = listed.Where(p => p.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(p => p.Key[prefix.Length..], p => p.Value, StringComparer.Ordinal);
        var matches = stored.Count == parameters.Count
            && parameters.All(p => stored.TryGetValue(p.Name, out var shape) && shape.SequenceEqual(p.Shape));
        var fits = impliedSoFar * elementSize <= weightsBytes;
        if (matches && fits) return;
        Int128 storedElements = 0;
        foreach (var shape in stored.Values) storedElements += Elements(shape);
        var why = matches ? "the layers up to it need more than the weights part holds" : FirstDifference(prefix, parameters, stored);
        throw new ModelFileException(path, ManifestPart,
            F($"layers[{index}] ({layer.TypeName}) {verb} {Describe(parameters)}: {elements:N0} elements ({elements * elementSize:N0} bytes; {impliedSoFar:N0} elements for layers 0..{index}), ") +
            F($"but the parameter list has {Describe(stored.Select(p => (p.Key, p.Value)).ToList())} ({storedElements:N0} elements) for it and the weights part holds {weightsBytes:N0} bytes; {why}. ") +
            "The architecture and the weights do not match; the model was not built.");
    }

    /// <summary>The first parameter whose name or shape differs, named in full as in the state dict.</summary>
    private static string FirstDifference(string prefix, IReadOnlyList<(string Name, long[] Shape)> parameters, Dictionary<string, long[]> stored)
    {
        foreach (var (name, shape) in parameters)
        {
            if (!stored.TryGetValue(name, out var listedShape)) return F($"parameter '{prefix}{name}' is missing from the file's parameter list");
            if (!listedShape.SequenceEqual(shape))
                return F($"parameter '{prefix}{name}' has shape [{string.Join(", ", listedShape)}] in the file but [{string.Join(", ", shape)}] in the architecture");
        }
        var extra = stored.Keys.First(k => parameters.All(p => p.Name != k));
        return F($"the file lists parameter '{prefix}{extra}', which the architecture does not have");
    }

    private static Int128 Elements(long[] shape)
    {
        Int128 n = 1;
        foreach (var d in shape) n *= d;
        return n;
    }

    /// <summary>"[weight [100, 8], bias [8]]", at most four entries.</summary>
    private static string Describe(IReadOnlyList<(string Name, long[] Shape)> parameters)
    {
        var shown = parameters.Take(4).Select(p => F($"{p.Name} [{string.Join(", ", p.Shape)}]"));
        var more = parameters.Count > 4 ? F($", … ({parameters.Count - 4} more)") : "";
        return parameters.Count == 0 ? "no parameters" : $"[{string.Join(", ", shown)}{more}]";
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
