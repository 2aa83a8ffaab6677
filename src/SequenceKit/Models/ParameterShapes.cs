namespace SequenceKit.Models;

/// <summary>The one check of stored parameter names and shapes against a model (model files, checkpoints, weight files).</summary>
internal static class ParameterShapes
{
    /// <summary>Null when <paramref name="stored"/> has exactly the model's names and shapes; otherwise what differs.</summary>
    /// <param name="model">The model.</param>
    /// <param name="stored">Name → shape, as read from a file.</param>
    /// <param name="source">What the file is called in the message ("file", "weights", "checkpoint").</param>
    public static string? Mismatch(SequenceModel model, IReadOnlyDictionary<string, long[]> stored, string source)
    {
        var expected = model.state_dict();
        var missing = expected.Keys.Where(k => !stored.ContainsKey(k)).ToList();
        var unexpected = stored.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (missing.Count > 0 || unexpected.Count > 0)
            return $"its parameter names do not match the model. Missing: [{string.Join(", ", missing)}]; unexpected: [{string.Join(", ", unexpected)}].";
        foreach (var (name, tensor) in expected)
            if (!stored[name].SequenceEqual(tensor.shape))
                return $"parameter '{name}' has shape [{string.Join(", ", stored[name])}] in the {source} but [{string.Join(", ", tensor.shape)}] in the model.";
        return null;
    }
}
