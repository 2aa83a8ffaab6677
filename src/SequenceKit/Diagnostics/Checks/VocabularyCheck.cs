using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using static SequenceKit.Diagnostics.Checks;
using static TorchSharp.torch;

namespace SequenceKit.Diagnostics;

/// <summary>SK010: unknown tokens and a vocabulary larger than the data supports.</summary>
internal static class VocabularyCheck
{
    /// <summary>Above this share of unknown tokens the finding is a Warning (docs/diagnostics.md, SK010).</summary>
    public const double WarnUnknownShare = 0.1;

    /// <summary>Above this share of unknown tokens it is decisive and Critical: the model reads mostly &lt;unk&gt;.</summary>
    public const double DecisiveUnknownShare = 0.3;

    /// <summary>A vocabulary of which more than this share of entries is seen at most once in the training texts is larger than the data supports (Info).</summary>
    public const double RareShare = 0.7;

    /// <summary>The rare-entries rule applies only to vocabularies larger than this.</summary>
    public const int MinVocabularyForRare = 100;

    // SK010
    public static IEnumerable<Result> Run(DiagnosisContext c)
    {
        if (c.Model.Layers[0] is not Embedding embedding) throw new NotCheckableException("SK010 applies to models that start with an Embedding");
        using var scope = NewDisposeScope();
        var tokens = c.Train.Inputs.flatten();
        var real = tokens.masked_select(tokens.ne(Preprocessing.Vocabulary.PaddingIndex));
        var total = real.numel();
        if (total == 0) throw new NotCheckableException("SK010 found no non-padding tokens");
        var unknown = real.eq(Preprocessing.Vocabulary.UnknownIndex).sum().item<long>() / (double)total;
        var counts = real.bincount(null, embedding.VocabularySize).data<long>().ToArray();
        var rare = counts.Skip(2).Count(n => n <= 1) / (double)Math.Max(1, embedding.VocabularySize - 2);
        var evidence = E(("out-of-vocabulary rate", unknown), ("vocabulary size", embedding.VocabularySize), ("share of entries seen at most once", rare), ("training tokens", total));
        if (unknown > WarnUnknownShare)
            return [new Result(new Finding("SK010", "Many out-of-vocabulary tokens", unknown > DecisiveUnknownShare ? Severity.Critical : Severity.Warning, Math.Min(0.97, 0.6 + unknown),
                F($"{unknown:P1} of the training tokens are the unknown token (index 1): the model cannot tell them apart."),
                evidence, "Build the Vocabulary on the training texts with a larger MaxSize or a lower MinFrequency, and check its UnknownRate on the validation texts."), unknown > DecisiveUnknownShare)];
        if (rare > RareShare && embedding.VocabularySize > MinVocabularyForRare)
            return [new Result(new Finding("SK010", "Vocabulary larger than the data supports", Severity.Info, 0.3,
                F($"{rare:P0} of the {embedding.VocabularySize} vocabulary entries occur at most once in {total} training tokens: their embeddings cannot be learned."),
                evidence, "Rebuild the Vocabulary with MinFrequency = 2 or a smaller MaxSize, so rare tokens share the unknown index."), false)];
        return None;
    }
}
