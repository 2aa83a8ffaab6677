using System.Text.Json.Nodes;

namespace SequenceKit.Tests.Reference;

/// <summary>
/// The committed reference vectors (tests/reference/README.md): written by PyTorch 1.13 and scikit-learn 1.2, never by
/// SequenceKit, so every expected value here comes from an independent implementation.
/// </summary>
internal static class ReferenceData
{
    private static readonly Lazy<JsonObject> TorchJson = new(() => Load("torch_reference.json"));
    private static readonly Lazy<JsonObject> SklearnJson = new(() => Load("sklearn_reference.json"));

    public static JsonObject Torch => TorchJson.Value;

    public static JsonObject Sklearn => SklearnJson.Value;

    public static string PathOf(string file) => Path.Combine(TestContext.CurrentContext.TestDirectory, "Reference", "data", file);

    public static double[] Doubles(JsonNode? node) => node!.AsArray().Select(Number).ToArray();

    /// <summary>A number, or one of the named non-finite values Python's json writes (NaN, Infinity, -Infinity).</summary>
    public static double Number(JsonNode? v) => v is null ? double.NaN
        : v.GetValueKind() == System.Text.Json.JsonValueKind.String ? double.Parse((string)v!, System.Globalization.CultureInfo.InvariantCulture)
        : (double)v;

    public static double[][] Rows(JsonNode? node) => node!.AsArray().Select(Doubles).ToArray();

    public static float[,] Matrix(JsonNode? node)
    {
        var rows = Rows(node);
        var result = new float[rows.Length, rows[0].Length];
        for (var i = 0; i < rows.Length; i++)
            for (var j = 0; j < rows[0].Length; j++) result[i, j] = (float)rows[i][j];
        return result;
    }

    public static float[,,] Cube(JsonNode? node)
    {
        var planes = node!.AsArray().Select(Rows).ToArray();
        var result = new float[planes.Length, planes[0].Length, planes[0][0].Length];
        for (var i = 0; i < planes.Length; i++)
            for (var j = 0; j < planes[0].Length; j++)
                for (var k = 0; k < planes[0][0].Length; k++) result[i, j, k] = (float)planes[i][j][k];
        return result;
    }

    private static JsonObject Load(string file)
    {
        var path = PathOf(file);
        // Non-finite values are written by Python's json as NaN/Infinity literals; System.Text.Json reads them as named numbers.
        var text = File.ReadAllText(path).Replace("-Infinity", "\"-Infinity\"").Replace("NaN", "\"NaN\"");
        text = System.Text.RegularExpressions.Regex.Replace(text, "(?<![-\"])Infinity", "\"Infinity\"");
        return JsonNode.Parse(text, documentOptions: default)!.AsObject();
    }
}
