using System.Globalization;
using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Layers;

/// <summary>
/// Keeps LSTM inference correct on CPUs where libtorch 2.10's oneDNN inference kernel is wrong.
/// </summary>
/// <remarks>
/// <para>
/// With gradients off (<c>no_grad</c>, <c>inference_mode</c>: every <c>Predict</c>, <c>Evaluate</c> and validation
/// pass), libtorch runs an unpacked float LSTM on the CPU through oneDNN's <c>forward_inference</c> kernel. On
/// AVX-512 CPUs that kernel (<c>rnn,brgemm:avx512_core,forward_inference,vanilla_lstm</c>, oneDNN 3.7.1) returns
/// outputs that differ from the training kernel's by 1e-2 to 1.4 for many hidden sizes (1–16, 33, 48, 100 among
/// them). GRU and simple RNN are not affected; packed sequences take another, correct path.
/// </para>
/// <para>
/// The guard runs a self-test once, at the first CPU LSTM inference: small LSTMs of hidden sizes
/// <see cref="SelfTestHiddenSizes"/> run with gradients off and on, with the global random state saved and restored.
/// When they disagree, every later CPU LSTM inference on an unpadded batch is sent through the packed path (all
/// lengths equal to the batch's time steps), which gives the training kernel's results without building a graph.
/// The decision is logged once, at Information, through <see cref="SequenceKitLogging.LoggerFactory"/>.
/// Set <see cref="Mode"/> (or the <c>SEQUENCEKIT_LSTM_GUARD</c> environment variable: <c>auto</c>, <c>always</c>,
/// <c>never</c>) to override the self-test.
/// </para>
/// </remarks>
public static class LstmInferenceGuard
{
    /// <summary>The environment variable read once for the initial <see cref="Mode"/>: <c>auto</c>, <c>always</c> or <c>never</c>.</summary>
    public const string EnvironmentVariable = "SEQUENCEKIT_LSTM_GUARD";

    /// <summary>The largest absolute difference between the two kernels that the self-test accepts: 1e-5.</summary>
    public const double Tolerance = 1e-5;

    /// <summary>The hidden sizes the self-test tries (sizes seen wrong on AVX-512 and sizes seen right).</summary>
    public static IReadOnlyList<long> SelfTestHiddenSizes { get; } = [1, 5, 16, 33, 48, 100, 128];

    private static readonly object Gate = new();
    private static LstmInferenceGuardMode mode = InitialMode();
    private static LstmKernelCheck? check;
    private static bool logged;

    /// <summary>When the guard reroutes inference. Default <see cref="LstmInferenceGuardMode.Automatic"/>, or what <see cref="EnvironmentVariable"/> says.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined mode.</exception>
    public static LstmInferenceGuardMode Mode
    {
        get { lock (Gate) return mode; }
        set
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "LstmInferenceGuard.Mode must be Automatic, Always or Never.");
            lock (Gate) { mode = value; logged = false; }
        }
    }

    /// <summary>The self-test's result, running it now if it has not run (a few milliseconds, once per process).</summary>
    public static LstmKernelCheck SelfTest
    {
        get { lock (Gate) return check ??= RunSelfTest(); }
    }

    /// <summary>Whether CPU LSTM inference is rerouted now (by <see cref="Mode"/>, or by the self-test in automatic mode).</summary>
    public static bool IsActive
    {
        get
        {
            lock (Gate)
            {
                var active = mode switch
                {
                    LstmInferenceGuardMode.Always => true,
                    LstmInferenceGuardMode.Never => false,
                    _ => (check ??= RunSelfTest()).Disagrees,
                };
                if (!logged) LogDecision(active);
                return active;
            }
        }
    }

    /// <summary>Whether this forward call would reach the faulty kernel and the guard reroutes it.</summary>
    /// <param name="input">The layer's unpadded input (batch, time, features).</param>
    internal static bool Reroutes(Tensor input) =>
        input.device_type == DeviceType.CPU && !is_grad_enabled() && input.dtype is ScalarType.Float32 or ScalarType.BFloat16 && IsActive;

    /// <summary>Runs an unpadded batch through the packed path: every sequence has the batch's full length.</summary>
    /// <returns>The output (B, T, dirs·H) and the last hidden state (layers·dirs, B, H), as the unpacked call returns them.</returns>
    internal static (Tensor Output, Tensor LastHidden) RunPacked(LSTM lstm, Tensor input)
    {
        var (batch, steps) = (input.shape[0], input.shape[1]);
        using var lengths = full(batch, steps, dtype: ScalarType.Int64);                    // (B), on the CPU as packing needs
        using var packed = nn.utils.rnn.pack_padded_sequence(input, lengths, batch_first: true, enforce_sorted: true);
        var (output, h, c) = lstm.call(packed);
        c.Dispose();
        using (output)
        {
            var (padded, sizes) = nn.utils.rnn.pad_packed_sequence(output, batch_first: true, total_length: steps);
            sizes.Dispose();
            return (padded, h);
        }
    }

    internal static LstmInferenceGuardMode ModeFromEnvironment(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or "auto" or "automatic" => LstmInferenceGuardMode.Automatic,
        "always" or "on" or "1" or "true" => LstmInferenceGuardMode.Always,
        "never" or "off" or "0" or "false" => LstmInferenceGuardMode.Never,
        _ => throw new SequenceKitException(
            $"The environment variable {EnvironmentVariable} is '{value}'; expected auto, always or never (or leave it unset for auto)."),
    };

    /// <summary>The mode the environment asks for; a value it cannot read falls back to automatic (logged), so that no forward call ever fails on it.</summary>
    private static LstmInferenceGuardMode InitialMode()
    {
        try
        {
            return ModeFromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));
        }
        catch (SequenceKitException e)
        {
            SequenceKitLogging.For("SequenceKit.Layers.LstmInferenceGuard").LogWarning("{Message} Using auto.", e.Message);
            return LstmInferenceGuardMode.Automatic;
        }
    }

    /// <summary>The self-test's verdict from the largest difference per hidden size (separated for tests).</summary>
    internal static LstmKernelCheck Judge(IReadOnlyList<(long Hidden, double Difference)> differences) => new(
        differences.Any(d => !(d.Difference <= Tolerance)),
        differences.Max(d => double.IsNaN(d.Difference) ? double.PositiveInfinity : d.Difference),
        differences.Where(d => !(d.Difference <= Tolerance)).Select(d => d.Hidden).ToArray(),
        differences.Select(d => d.Hidden).ToArray());

    private static LstmKernelCheck RunSelfTest()
    {
        var state = get_rng_state();                       // nn.LSTM's initialisation draws from the global generator
        try
        {
            using var generator = new Generator(20260127);
            var differences = new List<(long, double)>();
            foreach (var hidden in SelfTestHiddenSizes)
            {
                using var scope = NewDisposeScope();
                using var lstm = nn.LSTM(3, hidden, batchFirst: true);
                lstm.eval();
                var x = randn([4, 20, 3], generator: generator);                            // (B, T, F)
                Tensor inference, training;
                using (no_grad()) inference = lstm.call(x).Item1;
                using (enable_grad()) training = lstm.call(x).Item1.detach();
                differences.Add((hidden, (inference - training).abs().max().to(ScalarType.Float64).item<double>()));
            }
            return Judge(differences);
        }
        finally
        {
            set_rng_state(state);
            state.Dispose();
        }
    }

    private static void LogDecision(bool active)
    {
        logged = true;
        var logger = SequenceKitLogging.For("SequenceKit.Layers.LstmInferenceGuard");
        if (!active) return;
        var reason = mode == LstmInferenceGuardMode.Always
            ? $"{nameof(LstmInferenceGuard)}.{nameof(Mode)} is Always"
            : string.Create(CultureInfo.InvariantCulture,
                $"libtorch's oneDNN LSTM inference kernel disagreed with its training kernel by up to {check!.LargestDifference:G3} for hidden size(s) {string.Join(", ", check.FailingHiddenSizes)} on this CPU");
        logger.LogInformation("LSTM inference guard active: {Reason}. CPU LSTM inference without gradients runs on the packed path, which is correct. Set {Variable}=never to turn it off.",
            reason, EnvironmentVariable);
    }
}
