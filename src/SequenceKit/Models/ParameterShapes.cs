namespace SequenceKit.Models;

/// <summary>What differs between stored parameters and a model.</summary>
internal enum ParameterMismatchKind
{
    /// <summary>The names differ: some are missing or unexpected.</summary>
    Names,

    /// <summary>The names agree, but one parameter's shape differs.</summary>
    Shape,
}

/// <summary>A difference between stored parameters and a model, with the sentence that explains it.</summary>
/// <param name="Kind">Names or a shape.</param>
/// <param name="Message">The sentence, e.g. "parameter '1.weight_ih_l0' has shape [48, 3] in the file but [48, 2] in the model."</param>
internal sealed record ParameterMismatch(ParameterMismatchKind Kind, string Message);

/// <summary>The one check of stored parameter names and shapes against a model (model files, checkpoints, weight files).</summary>
internal static class ParameterShapes
{
    /// <summary>Null when <paramref name="stored"/> has exactly the model's names and shapes; otherwise what differs.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stored">Name → shape, as read from a file.</param>
    /// <param name="source">What the file is called in the message ("file", "weights", "checkpoint").</param>
    public static ParameterMismatch? Mismatch(SequenceModel model, IReadOnlyDictionary<string, long[]> stored, string source)
    {
        var expected = model.state_dict();
        var missing = expected.Keys.Where(k => !stored.ContainsKey(k)).ToList();
        var unexpected = stored.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            return new(ParameterMismatchKind.Names, $"its parameter names do not match the model. Missing: [{string.Join(", ", missing)}]; unexpected: [{string.Join(", ", unexpected)}].");
        foreach (var (name, tensor) in expected)
            if (!stored[name].SequenceEqual(tensor.shape))
                return new(ParameterMismatchKind.Shape, $"parameter '{name}' has shape [{string.Join(", ", stored[name])}] in the {source} but [{string.Join(", ", tensor.shape)}] in the model.");
        return null;
    }
}
