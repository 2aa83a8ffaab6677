namespace SequenceKit.Preprocessing;

/// <summary>
/// Turns labels (strings, integers, any comparable value) into class indices 0..k−1 and back, classes in sorted order
/// as scikit-learn's <c>LabelEncoder</c>.
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
        classes = list.Distinct().Order().ToArray();
        indices = classes.Select((c, i) => (c, (long)i)).ToDictionary(p => p.c, p => p.Item2);
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

    private TLabel[] Fitted() => classes ?? throw new InvalidOperationException("This LabelEncoder is not fitted yet; call Fit first.");
}
