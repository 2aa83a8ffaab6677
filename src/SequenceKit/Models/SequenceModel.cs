using Microsoft.Extensions.Logging.Abstractions;
using System.Globalization;
using System.Text;
using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace SequenceKit.Models;

/// <summary>
/// A Keras-style sequential model: layers applied in order, each one's input size inferred from the previous
/// one's output, so only the first layer (an <see cref="Embedding"/> or an <see cref="Input"/>) states the input.
/// The chain is checked when the model is built. It is a TorchSharp module: <c>parameters()</c>, <c>train()</c>,
/// <c>eval()</c> and <c>state_dict()</c> work as usual, with parameter names <c>{layer index}.{PyTorch name}</c>.
/// </summary>
/// <example>
/// <code>
/// using var model = new SequenceModel(new Embedding(1000, 64), new Lstm(128), new Dense(10, Activation.Softmax));
/// Console.WriteLine(model.Summary());
/// </code>
/// </example>
public sealed partial class SequenceModel : nn.Module<Tensor, Tensor>
{
    private readonly ISequenceLayer[] layers;
    private readonly LayerShape[] outputShapes;
    private readonly Device torchDevice;

    /// <summary>Builds a model from layers with the default options (automatic device, input validation on).</summary>
    /// <param name="layers">The layers in order; the first must be an <see cref="Embedding"/> or an <see cref="Input"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="layers"/> is empty, holds null or holds one layer twice.</exception>
    /// <exception cref="SequenceKitException">Two layers do not fit together, the device is not available, or the native backend cannot load.</exception>
    public SequenceModel(params ISequenceLayer[] layers) : this(new SequenceModelOptions(), layers) { }

    /// <summary>Builds a model from layers.</summary>
    /// <param name="options">Device, input validation, seed and logging.</param>
    /// <param name="layers">The layers in order; the first must be an <see cref="Embedding"/> or an <see cref="Input"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="layers"/> is empty, holds null or holds one layer twice.</exception>
    /// <exception cref="SequenceKitException">Two layers do not fit together, the device is not available, or the native backend cannot load.</exception>
    public SequenceModel(SequenceModelOptions options, params ISequenceLayer[] layers) : this(options, layers, null) { }

    /// <summary>Builds a model from layers, letting <paramref name="guard"/> check each layer just before and just after it is built.</summary>
    internal SequenceModel(SequenceModelOptions options, ISequenceLayer[] layers, ILayerBuildGuard? guard) : base(NativeRuntime.CheckedName(nameof(SequenceModel)))
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(layers);
        if (layers.Length == 0)
            throw new ArgumentException("A SequenceModel needs at least one layer; got none.", nameof(layers));
        for (var i = 0; i < layers.Length; i++)
        {
            if (layers[i] is null) throw new ArgumentException($"layers[{i}] is null.", nameof(layers));
            var first = Array.IndexOf(layers, layers[i]);
            if (first != i)
                throw new ArgumentException($"layers[{i}] is the same {layers[i].TypeName} instance as layers[{first}]; each position needs its own layer.", nameof(layers));
        }

        NativeRuntime.EnsureAvailable();
        Options = options;
        DeviceSelection = DeviceSelector.Select(options.Device, options.Logger);
        if (options.Seed is { } seed) manual_seed(seed);

        this.layers = layers.ToArray();
        outputShapes = new LayerShape[layers.Length];
        InputShape = layers[0].RequiredInput ?? throw new SequenceKitException(
            $"Layer 0 ({layers[0].TypeName}) cannot infer its input size because it is the first layer. " +
            "Start the model with Input.Sequence(features), Input.Vector(features) or an Embedding.");
        var shape = InputShape;
        try
        {
            for (var i = 0; i < layers.Length; i++)
            {
                guard?.BeforeBuild(i, layers[i], shape);
                shape = layers[i].Build(shape, new LayerBuildContext(i, layers[i], i == 0 ? null : layers[i - 1]));
                guard?.AfterBuild(i, layers[i]);
                outputShapes[i] = shape;
                if (layers[i].Module is { } module)
                    register_module(i.ToString(CultureInfo.InvariantCulture), module);
            }
            torchDevice = DeviceSelection.Device.ToTorch();
            this.to(torchDevice);
        }
        catch
        {
            Dispose();                       // frees the native parameters of the layers built so far
            throw;
        }
    }

    /// <summary>The options the model was built with.</summary>
    public SequenceModelOptions Options { get; }

    /// <summary>The device the parameters live on and inputs are moved to.</summary>
    public ComputeDevice Device => DeviceSelection.Device;

    /// <summary>The device and why it was chosen (requested in code, environment variable, or automatic).</summary>
    public DeviceSelection DeviceSelection { get; }

    /// <summary>
    /// The fitted scalers that belong to the model, by name (e.g. <c>"inputs"</c>, <c>"targets"</c>). They are saved
    /// and loaded with it, so inference applies exactly the preprocessing training used. Names use letters, digits,
    /// '.', '_' and '-'. Only SequenceKit's own scalers can be loaded back.
    /// </summary>
    public IDictionary<string, IScaler> Scalers { get; } = new SortedDictionary<string, IScaler>(StringComparer.Ordinal);

    /// <summary>The layers, in order.</summary>
    public IReadOnlyList<ISequenceLayer> Layers => layers;

    /// <summary>The input the model takes: tokens (batch, time), a sequence (batch, time, features) or a vector (batch, features).</summary>
    public LayerShape InputShape { get; }

    /// <summary>The output of the last layer.</summary>
    public LayerShape OutputShape => outputShapes[^1];

    /// <summary>Each layer's name, type, output shape and parameter counts.</summary>
    public IReadOnlyList<LayerSummary> LayerSummaries => layers.Select((layer, i) =>
    {
        var parameters = layer.Module?.parameters().ToList() ?? [];
        return new LayerSummary(i, $"{layer.TypeName[(layer.TypeName.LastIndexOf('.') + 1)..].ToLowerInvariant()}_{i}", layer.TypeName, outputShapes[i],
            parameters.Sum(p => p.numel()), parameters.Where(p => p.requires_grad).Sum(p => p.numel()));
    }).ToArray();

    /// <summary>The number of scalar parameters in all layers.</summary>
    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>
    /// Runs the model on a batch whose sequences all fill the time axis, or whose padding the first
    /// <see cref="Embedding"/> masks (token 0, with <see cref="EmbeddingOptions.MaskZero"/>).
    /// </summary>
    /// <param name="input">See <see cref="InputShape"/>; moved to the model's device (and to float32 or int64) if needed.</param>
    /// <returns>The output, on the model's device: see <see cref="OutputShape"/>.</returns>
    /// <exception cref="ArgumentException">The input has the wrong rank, feature count or dtype, an out-of-range token, or NaN/Inf values.</exception>
    public override Tensor forward(Tensor input) => forward(input, null);

    /// <summary>
    /// Runs the model on a padded batch: sequence <c>i</c> is taken to be <c>lengths[i]</c> steps long, and recurrent
    /// layers run it over exactly those steps (packed), so its output equals running it alone without padding.
    /// Padding must be at the end of each sequence (post-padding).
    /// </summary>
    /// <param name="input">See <see cref="InputShape"/>; moved to the model's device (and to float32 or int64) if needed.</param>
    /// <param name="lengths">Integer lengths, shape (batch), each in [1, time]; null when the batch is not padded.</param>
    /// <returns>The output, on the model's device: see <see cref="OutputShape"/>.</returns>
    /// <exception cref="ArgumentException">The input or lengths are malformed; the message gives expected and actual values.</exception>
    public Tensor forward(Tensor input, Tensor? lengths)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var x = PrepareInput(input);
        var batch = new SequenceBatch(x, PrepareLengths(lengths, x));
        foreach (var layer in layers) batch = layer.Forward(batch);
        return batch.Values.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// <see cref="forward(Tensor, Tensor?)"/> that also returns the last <see cref="Dense"/>'s pre-activation (its
    /// logits), from which losses on a softmax or sigmoid output are computed exactly; for a model that does not end
    /// in a Dense, the logits are the output itself.
    /// </summary>
    /// <param name="input">As for <see cref="forward(Tensor, Tensor?)"/>.</param>
    /// <param name="lengths">As for <see cref="forward(Tensor, Tensor?)"/>.</param>
    /// <param name="valuesChecked">
    /// True when every row of the dataset the batch comes from was checked before (<c>InputContract.CheckRows</c>), so the
    /// per-batch scan for NaN/±Inf and out-of-vocabulary tokens is skipped; shapes and lengths are still checked.
    /// </param>
    internal (Tensor Output, Tensor Logits) ForwardWithLogits(Tensor input, Tensor? lengths, bool valuesChecked = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var scope = NewDisposeScope();
        var x = PrepareInput(input, valuesChecked);
        var batch = new SequenceBatch(x, PrepareLengths(lengths, x));
        for (var i = 0; i < layers.Length - 1; i++) batch = layers[i].Forward(batch);
        if (layers[^1] is not Dense dense)
        {
            var output = layers[^1].Forward(batch).Values.MoveToOuterDisposeScope();
            return (output, output);
        }
        var logits = dense.PreActivation(batch);                // (B, [T,] units)
        var activated = dense.Activate(logits);
        return (activated.MoveToOuterDisposeScope(), ReferenceEquals(activated, logits) ? activated : logits.MoveToOuterDisposeScope());
    }

    /// <summary>A Keras-style table: each layer's name and type, output shape and parameter count, then the totals.</summary>
    /// <returns>The table, with a header naming the device.</returns>
    public string Summary()
    {
        var rows = LayerSummaries;
        var names = rows.Select(r => $"{r.Name} ({r.TypeName})").ToArray();
        var nameWidth = Math.Max(30, names.Max(n => n.Length) + 2);          // columns grow with their content
        var shapeWidth = Math.Max(28, rows.Max(r => r.OutputShape.ToString().Length) + 2);
        var width = nameWidth + shapeWidth + 14;
        var rule = new string('_', width);
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Model: SequenceModel on {Device} ({DeviceSelection.Reason})");
        text.AppendLine(rule);
        text.AppendLine(CultureInfo.InvariantCulture, $"{"Layer (type)".PadRight(nameWidth)}{"Output Shape".PadRight(shapeWidth)}{"Param #",14}");
        text.AppendLine(new string('=', width));
        for (var i = 0; i < rows.Count; i++)
            text.AppendLine(CultureInfo.InvariantCulture, $"{names[i].PadRight(nameWidth)}{rows[i].OutputShape.ToString().PadRight(shapeWidth)}{rows[i].Parameters,14:N0}");
        text.AppendLine(new string('=', width));
        var total = rows.Sum(r => r.Parameters);
        var trainable = rows.Sum(r => r.TrainableParameters);
        text.AppendLine(CultureInfo.InvariantCulture, $"Total params: {total:N0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Trainable params: {trainable:N0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"Non-trainable params: {total - trainable:N0}");
        text.Append(rule);
        return text.ToString();
    }

    /// <summary>
    /// Saves the architecture (JSON), the weights, the <see cref="Scalers"/> and, when set, the <see cref="Vocabulary"/> (with its tokenizer settings) and <see cref="ClassNames"/> into one file. The file is written beside the target under a
    /// temporary name, flushed to disk and then renamed over the target, so an interrupted save never destroys the
    /// previous file.
    /// </summary>
    /// <param name="path">The file to write, conventionally <c>*.skmodel</c>; its folder is created if missing.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file cannot be written; the previous file, if any, is unchanged.</exception>
    /// <exception cref="InvalidOperationException">A scaler in <see cref="Scalers"/> is not fitted (nothing is written).</exception>
    /// <exception cref="ArgumentException">A scaler's name has characters other than letters, digits, '.', '_' and '-'.</exception>
    public void Save(string path) => ModelFile.Write(this, path);

    /// <summary>
    /// Loads a model saved with <see cref="Save"/>: rebuilds its layers from the stored architecture and loads the weights.
    /// </summary>
    /// <param name="path">The model file.</param>
    /// <param name="options">Device, validation and logging for the loaded model; null for the defaults. A seed is ignored.</param>
    /// <returns>The model, in evaluation mode.</returns>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="ModelFileException">The file is truncated, corrupt, not a SequenceKit model, from a newer format, or its weights do not match its architecture.</exception>
    public static SequenceModel Load(string path, SequenceModelOptions? options = null) => ModelFile.Read(path, options);

    /// <summary>
    /// A new model with the same architecture (rebuilt from the layers' configurations), options and device, and a copy
    /// of the weights (or fresh weights from <paramref name="seed"/>). Probes train copies so that the user's model is never touched.
    /// </summary>
    /// <param name="copyWeights">Copy the weights (default), or keep the fresh initialization.</param>
    /// <param name="seed">Seeds a fresh initialization.</param>
    /// <exception cref="SequenceKitException">A layer's type is not registered (a custom layer without <see cref="LayerRegistry.Register"/>).</exception>
    internal SequenceModel Copy(bool copyWeights = true, long? seed = null)
    {
        var copy = new SequenceModel(Options with { Seed = seed, Logger = NullLogger.Instance, Device = Device },   // copies stay quiet
            layers.Select(l => LayerRegistry.Create(l.TypeName, l.GetConfig())).ToArray());
        if (!copyWeights) return copy;                                   // freshly initialized, same architecture
        using var _ = no_grad();
        var source = state_dict();
        foreach (var (name, tensor) in copy.state_dict()) tensor.copy_(source[name]);
        return copy;
    }

    /// <summary>
    /// A freshly initialized model whose layers are this model's, rebuilt from their configurations and passed through
    /// <paramref name="map"/> (which may swap a layer for another, or return null to leave it out): the training
    /// doctor's controlled experiments train such variants (wider, gated, without dropout).
    /// </summary>
    internal SequenceModel Variant(Func<ISequenceLayer, ISequenceLayer?> map, long seed) =>
        new(Options with { Seed = seed, Logger = NullLogger.Instance, Device = Device },
            layers.Select(l => map(LayerRegistry.Create(l.TypeName, l.GetConfig()))).OfType<ISequenceLayer>().ToArray());

    private Tensor PrepareInput(Tensor input, bool valuesChecked = false)
    {
        InputContract.CheckTensor(this, input, InputRole.Batch);
        if (InputShape.Kind == ShapeKind.Tokens)
        {
            // Any integer dtype (int32 from C# int arrays, uint8, …) becomes the Embedding's int64 before anything reads it.
            var tokens = OnDevice(input, ScalarType.Int64);
            if (Options.ValidateInputs && !valuesChecked) InputContract.CheckTokens(tokens, InputShape.Features, InputRole.Batch);
            return tokens;
        }
        if (Options.ValidateInputs && !valuesChecked) InputContract.CheckFinite(input, InputRole.Batch);
        return OnDevice(input, ScalarType.Float32);
    }

    /// <summary>The input itself when it already has the dtype and device; otherwise a converted copy.</summary>
    private Tensor OnDevice(Tensor input, ScalarType dtype)
    {
        var sameDevice = input.device_type == torchDevice.type && (torchDevice.type == DeviceType.CPU || input.device_index == torchDevice.index);
        if (input.dtype == dtype && sameDevice) return input;
        return input.to(dtype, torchDevice);
    }

    private Tensor? PrepareLengths(Tensor? lengths, Tensor x)
    {
        if (lengths is null) return null;
        if (!InputShape.HasTimeAxis)
            throw new ArgumentException($"lengths apply to sequences, but this model's input {InputShape} has no time axis; pass null.", nameof(lengths));
        var batch = x.shape[0];
        var steps = x.shape[1];
        if (lengths.Dimensions != 1 || lengths.shape[0] != batch)
            throw new ArgumentException(
                $"lengths must have shape [{batch}] (one length per sequence in the batch); got [{string.Join(", ", lengths.shape)}].", nameof(lengths));
        if (!is_integral(lengths.dtype))
            throw new ArgumentException($"lengths must be integers; got dtype {lengths.dtype}.", nameof(lengths));
        var onCpu = lengths.to(ScalarType.Int64).cpu();
        var values = onCpu.data<long>().ToArray();
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 1 || values[i] > steps)
                throw new ArgumentException(
                    $"lengths[{i}] = {values[i]} is outside [1, {steps}] (the batch has {steps} time steps).", nameof(lengths));
        return onCpu;
    }
}
