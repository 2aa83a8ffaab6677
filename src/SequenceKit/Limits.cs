namespace SequenceKit;

/// <summary>
/// The sizes SequenceKit accepts, written in one place. Layer constructors and every loader (model files, checkpoints,
/// scaler, vocabulary and label-encoder files) check against them <em>before</em> anything is allocated, so that a
/// typo in code or a few crafted bytes in a file give a clear exception instead of minutes of work, gigabytes of memory
/// or a native allocator error. Each cap is far above what a sequence model of this library needs on one device; a
/// size above a cap is refused with a message naming the value, the cap and this class.
/// </summary>
public static class SequenceKitLimits
{
    /// <summary>Most layers in one <see cref="Models.SequenceModel"/> (and in one model file's architecture): 1,024.</summary>
    public const int MaxLayers = 1_024;

    /// <summary>Most features of a scaler (in code and in a scaler file): 1,048,576 (2^20).</summary>
    public const long MaxUnits = 1L << 20;

    /// <summary>Most stacked layers inside one recurrent layer (<c>RecurrentOptions.Layers</c>): 64.</summary>
    public const int MaxRecurrentLayers = 64;

    /// <summary>
    /// Most elements in one parameter tensor, e.g. an embedding's rows × dimension or a recurrent layer's
    /// 4·units × inputs: 2^31 (8 GiB as 32-bit floats). Layer constructors check it (and the input-dependent weights
    /// when the model is built), and so does every loader. A model file holds at most <see cref="MaxPartBytes"/> of
    /// weights, so a model near this cap can be trained but must be saved in pieces (e.g. PyTorch's format).
    /// </summary>
    public const long MaxTensorElements = 1L << 31;

    /// <summary>Most tokens in a vocabulary (and rows of an embedding built from one): 16,777,216 (2^24).</summary>
    public const int MaxVocabularySize = 1 << 24;

    /// <summary>Most bytes of one binary part of a file (weights, optimizer state) after decompression: 2,000,000,000.</summary>
    public const long MaxPartBytes = 2_000_000_000;

    /// <summary>Most bytes of one JSON part or JSON file (manifest, scaler, vocabulary, label encoder, checkpoint metadata): 268,435,456 (256 MiB).</summary>
    public const long MaxJsonBytes = 1L << 28;

    /// <summary>Most entries in a model or checkpoint archive: 4,096.</summary>
    public const int MaxArchiveEntries = 4_096;
}
