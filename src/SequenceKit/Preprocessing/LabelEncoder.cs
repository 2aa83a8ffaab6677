using System.Text.Json;
using System.Text.Json.Nodes;
using SequenceKit.IO;

namespace SequenceKit.Preprocessing;

/// <summary>
/// Turns labels (strings, integers, any comparable value) into class indices 0..k−1 and back, classes in sorted order
/// as scikit-learn's <c>LabelEncoder</c>. <see cref="Save"/> and <see cref="Load"/> keep the classes in their
/// fitted order, so indices mean the same after loading on any machine.
/// </summary>
/// <typeparam name="TLabel">The label type.</typeparam>
/// <param name="unknownLabels">What <see cref="Transform"/> does with labels not seen by <see cref="Fit"/>. Default: throw.</param>
public sealed class LabelEncoder<TLabel>(UnknownLabelPolicy unknownLabels = UnknownLabelPolicy.Throw) where TLabel : notnull
{
    private TLabel[]? classes;
    private Dictionary<TLabel, long>? indices;

    /// <summary>What happens to unseen labels.</summary>
    public UnknownLabelPolicy UnknownLabels { get; } = Enum.IsDefined(unknownLabels) ? unknownLabels
        : throw new ArgumentOutOfRangeException(nameof(unknownLabels), unknownLabels, "unknownLabels must be Throw or MapToUnknown.");

    /// <summary>The distinct labels seen by <see cref="Fit"/>, sorted; class i is <c>Classes[i]</c>.</summary>
    /// <exception cref="InvalidOperationException">The encoder is not fitted yet.</exception>
    public IReadOnlyList<TLabel> Classes => Fitted().AsReadOnly();

    /// <summary>The number of class indices <see cref="Transform"/> can produce: the classes, plus one with <see cref="UnknownLabelPolicy.MapToUnknown"/>.</summary>
    /// <exception cref="InvalidOperationException">The encoder is not fitted yet.</exception>
    public int ClassCount => Fitted().Length + (UnknownLabels == UnknownLabelPolicy.MapToUnknown ? 1 : 0);

    /// <summary>The index unseen labels map to with <see cref="UnknownLabelPolicy.MapToUnknown"/>: <c>Classes.Count</c>.</summary>
    /// <exception cref="InvalidOperationException">The encoder is not fitted yet.</exception>
    public long UnknownIndex => Fitted().Length;

    /// <summary>Learns the distinct labels.</summary>
    /// <param name="labels">The training labels.</param>
    /// <exception cref="ArgumentException">No labels, or a null label.</exception>
    public void Fit(IEnumerable<TLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var list = labels.ToList();
        if (list.Count == 0) throw new ArgumentException("labels is empty; give at least one label.", nameof(labels));
        var firstNull = list.FindIndex(l => l is null);
        if (firstNull >= 0) throw new ArgumentException($"labels[{firstNull}] is null.", nameof(labels));
        SetClasses(list.Distinct().Order().ToArray());
    }

    /// <summary>Encodes labels as class indices.</summary>
    /// <param name="labels">Labels to encode.</param>
    /// <returns>One index per label.</returns>
    /// <exception cref="InvalidOperationException">The encoder is not fitted yet.</exception>
    /// <exception cref="ArgumentException">A label was not seen by <see cref="Fit"/> and the policy is <see cref="UnknownLabelPolicy.Throw"/>.</exception>
    public long[] Transform(IEnumerable<TLabel> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        Fitted();
        return labels.Select((label, i) => label is not null && indices!.TryGetValue(label, out var index) ? index
            : UnknownLabels == UnknownLabelPolicy.MapToUnknown ? UnknownIndex
            : throw new ArgumentException(
                $"labels[{i}] = '{label}' was not seen when fitting (known: {string.Join(", ", classes!.Take(10))}{(classes!.Length > 10 ? ", …" : "")}). " +
                "Refit on all labels, or use UnknownLabelPolicy.MapToUnknown.", nameof(labels))).ToArray();
    }

    /// <summary>Fits on the labels, then encodes them.</summary>
    /// <param name="labels">The training labels.</param>
    /// <returns>One index per label.</returns>
    public long[] FitTransform(IEnumerable<TLabel> labels)
    {
        var list = labels?.ToList() ?? throw new ArgumentNullException(nameof(labels));
        Fit(list);
        return Transform(list);
    }

    /// <summary>Turns class indices back into labels.</summary>
    /// <param name="indices">Indices in [0, Classes.Count).</param>
    /// <returns>The labels.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is not a known class (the unknown class has no label).</exception>
    public TLabel[] InverseTransform(IEnumerable<long> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var known = Fitted();
        return indices.Select(i => i >= 0 && i < known.Length ? known[i]
            : throw new ArgumentOutOfRangeException(nameof(indices), i, $"Class index {i} is outside 0..{known.Length - 1}{(i == known.Length && UnknownLabels == UnknownLabelPolicy.MapToUnknown ? " (it is the unknown class, which has no label)" : "")}.")).ToArray();
    }

    /// <summary>
    /// The fitted encoder as JSON: the policy, the label type's name and the classes in index order. Labels are written
    /// with System.Text.Json (strings and numbers as themselves, enums as numbers).
    /// </summary>
    /// <returns>The JSON text.</returns>
    /// <exception cref="InvalidOperationException">The encoder is not fitted yet.</exception>
    public string ToJson() => new JsonObject
    {
        ["format"] = Format,
        ["formatVersion"] = 1,
        ["labelType"] = typeof(TLabel).FullName,
        ["unknownLabels"] = UnknownLabels.ToString(),
        ["classes"] = JsonSerializer.SerializeToNode(Fitted()),
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>Saves <see cref="ToJson"/> to a file, atomically: an interrupted save leaves the previous file as it was.</summary>
    /// <param name="path">The file to write; its folder is created if missing.</param>
    /// <exception cref="InvalidOperationException">The encoder is not fitted yet (nothing is written).</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be written; the previous file, if any, is unchanged.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var json = ToJson();                                      // an unfitted encoder throws before the file is touched
        AtomicFile.Write(path, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(json)));
    }

    /// <summary>Reads an encoder from <see cref="ToJson"/> text; the classes keep their stored order.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>A fitted encoder.</returns>
    /// <exception cref="SequenceKitException">
    /// The JSON is not a label encoder, its classes are empty, null, repeated or not of type <typeparamref name="TLabel"/>,
    /// or its policy is unknown; the message names the problem and the label type the file holds.
    /// </exception>
    public static LabelEncoder<TLabel> FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            var root = JsonNode.Parse(json) as JsonObject ?? throw new JsonException("the top level is not a JSON object");
            if (root["format"] is not JsonValue format || format.GetValueKind() != JsonValueKind.String || format.GetValue<string>() != Format)
                throw new JsonException($"'format' is not '{Format}'");
            if (root["formatVersion"] is not JsonValue version || version.GetValueKind() != JsonValueKind.Number || !version.TryGetValue(out int number) || number != 1)
                throw new JsonException($"format version {root["formatVersion"]?.ToJsonString() ?? "(missing)"} is not supported; this SequenceKit reads version 1");
            var policyName = root["unknownLabels"] is JsonValue p && p.GetValueKind() == JsonValueKind.String ? p.GetValue<string>() : null;
            if (policyName is null || !Enum.GetNames<UnknownLabelPolicy>().Contains(policyName, StringComparer.Ordinal))
                throw new JsonException($"'unknownLabels' must be one of {string.Join(", ", Enum.GetNames<UnknownLabelPolicy>())}; got {root["unknownLabels"]?.ToJsonString() ?? "nothing"}");
            var stored = root["labelType"] is JsonValue t && t.GetValueKind() == JsonValueKind.String ? t.GetValue<string>() : "(unnamed)";
            if (root["classes"] is not JsonArray array) throw new JsonException("'classes' is missing or not an array");
            if (array.Count == 0) throw new JsonException("'classes' is empty; a fitted encoder has at least one class");
            var loaded = new TLabel[array.Count];
            var seen = new HashSet<TLabel>();
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is null) throw new JsonException($"classes[{i}] is null");
                TLabel? label;
                try
                {
                    label = array[i]!.Deserialize<TLabel>();
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException or FormatException)
                {
                    throw new JsonException($"classes[{i}] = {array[i]!.ToJsonString()} is not of type {typeof(TLabel).Name} (the file holds {stored} labels)", e);
                }
                if (label is null) throw new JsonException($"classes[{i}] is null");
                if (!seen.Add(label)) throw new JsonException($"classes[{i}] = '{label}' is repeated");
                loaded[i] = label;
            }
            var encoder = new LabelEncoder<TLabel>(Enum.Parse<UnknownLabelPolicy>(policyName));
            encoder.SetClasses(loaded);
            return encoder;
        }
        catch (JsonException e)
        {
            throw new SequenceKitException($"The label encoder JSON cannot be read: {e.Message}.", e);
        }
    }

    /// <summary>Loads an encoder saved with <see cref="Save"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>A fitted encoder with the saved classes, order and policy.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="SequenceKitException">The file is not a valid label encoder for <typeparamref name="TLabel"/>.</exception>
    public static LabelEncoder<TLabel> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"No label encoder file at '{path}'.", path);
        return FromJson(File.ReadAllText(path));
    }

    private const string Format = "SequenceKit.LabelEncoder";

    private void SetClasses(TLabel[] fitted)
    {
        classes = fitted;
        indices = fitted.Select((c, i) => (c, (long)i)).ToDictionary(p => p.c, p => p.Item2);
    }

    private TLabel[] Fitted() => classes ?? throw new InvalidOperationException("This LabelEncoder is not fitted yet; call Fit first.");
}
