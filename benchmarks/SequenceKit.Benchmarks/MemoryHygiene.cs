using System.Diagnostics;
using System.Globalization;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using SequenceKit.Training.Callbacks;
using SequenceKit.Training.Losses;
using static TorchSharp.torch;

namespace SequenceKit.Benchmarks;

/// <summary>
/// Resident memory and epoch time of the trainer's memory trimming (<see cref="MemoryTrimOptions"/>) in a process that
/// holds 1.07 GB of managed data (256 float arrays of 2^20 values, kept alive). The task: 2,000 sequences of 28 steps ×
/// 28 features (noise whose mean depends on one of 10 classes), LSTM(64) → Dense(10), batch 32, Adam: 63 steps per epoch.
///   memory-hygiene [rounds]: the whole benchmark: the two resident-memory runs below, each in its own child process,
///       then the timing comparison in this process.
///   memory-hygiene rss default|off [steps]: trains that many steps (default 3,000: 1,000 to warm up, 2,000 measured),
///       sampling resident memory every 21 steps.
///   memory-hygiene time [rounds]: in each round, in rotating order, 3 epochs each of: a plain TorchSharp loop (no trim),
///       Trainer.Fit with MemoryTrim = null, Trainer.Fit with the old fixed trim every 50 steps, Trainer.Fit with the
///       default MemoryTrim. Each starts after a malloc_trim outside the timed part; epochs are timed inside Fit.
/// </summary>
internal static class MemoryHygiene
{
    private const int Rows = 2000, Steps = 28, Features = 28, Classes = 10, Batch = 32;

    public static int Run(string[] args)
    {
        var culture = CultureInfo.InvariantCulture;
        switch (args.ElementAtOrDefault(1))
        {
            case "rss":
                return Resident(args.ElementAtOrDefault(2) ?? "default", int.Parse(args.ElementAtOrDefault(3) ?? "3000", culture));
            case "time":
                return Time(int.Parse(args.ElementAtOrDefault(2) ?? "10", culture));
            case null or "all":
            {
                foreach (var policy in new[] { "default", "off" })
                {
                    using var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!) { ArgumentList = { typeof(MemoryHygiene).Assembly.Location, "memory-hygiene", "rss", policy } })!;
                    child.WaitForExit();
                    if (child.ExitCode != 0) return child.ExitCode;
                }
                return Time(int.Parse(args.ElementAtOrDefault(2) ?? "10", culture));
            }
            default:
                Console.Error.WriteLine("usage: memory-hygiene [all [rounds]] | rss default|off [steps] | time [rounds]");
                return 2;
        }
    }

    private static float[][] Ballast()
    {
        var ballast = new float[256][];
        for (var i = 0; i < ballast.Length; i++)
        {
            ballast[i] = new float[1 << 20];
            Array.Fill(ballast[i], i);
        }
        return ballast;
    }

    private static SequenceDataset Data()
    {
        manual_seed(1);
        var labels = randint(0, Classes, [Rows], dtype: ScalarType.Int64);
        var inputs = randn(Rows, Steps, Features) * 0.5f + labels.to_type(ScalarType.Float32).view(Rows, 1, 1) / 10f;
        return new SequenceDataset(inputs, labels);
    }

    private static SequenceModel Model() =>
        new(new SequenceModelOptions { Seed = 1 }, Input.Sequence(Features), new Lstm(64), new Dense(Classes));

    private static int Resident(string policy, int totalSteps)
    {
        var ballast = Ballast();
        using var data = Data();
        using var model = Model();
        const int perEpoch = (Rows + Batch - 1) / Batch;
        var samples = new List<(long Step, long Bytes)>();
        var sampler = new Sampler(samples);
        var begin = MemoryTrimmer.ResidentBytes();
        Trainer.Fit(model, data, null, new TrainerOptions
        {
            Loss = new CrossEntropyLoss(), Epochs = (totalSteps + perEpoch - 1) / perEpoch, BatchSize = Batch, Seed = 3,
            MemoryTrim = policy switch
            {
                "off" => null,
                                _ => new MemoryTrimOptions(),
            },
            Callbacks = [sampler],
        });
        var warm = samples.Where(s => s.Step >= 1000).ToArray();
        var (trims, time) = MemoryTrimmer.Statistics;
        Console.WriteLine(F($"rss {policy}: {sampler.Steps:N0} steps; managed heap {GC.GetTotalMemory(false) / 1e9:F2} GB; resident at the start of Fit {begin / 1e6:F0} MB, at step {warm[0].Step} {warm[0].Bytes / 1e6:F0} MB, at the end {samples[^1].Bytes / 1e6:F0} MB"));
        Console.WriteLine(F($"rss {policy}: steps {warm[0].Step}–{warm[^1].Step}: end − start {(warm[^1].Bytes - warm[0].Bytes) / 1e6:+0.0;-0.0} MB, max − min {(warm.Max(s => s.Bytes) - warm.Min(s => s.Bytes)) / 1e6:F1} MB; whole run: end − start of Fit {(samples[^1].Bytes - begin) / 1e6:+0.0;-0.0} MB, peak {(samples.Max(s => s.Bytes) - begin) / 1e6:+0.0;-0.0} MB; {trims} trims taking {time.TotalMilliseconds:F0} ms; {sampler.MillisecondsPerStep:F2} ms per step after step 1,008"));
        GC.KeepAlive(ballast);
        return 0;
    }

    private sealed class Sampler(List<(long Step, long Bytes)> samples) : Callback
    {
        private readonly Stopwatch clock = new();

        public long Steps { get; private set; }

        /// <summary>Milliseconds per step from step 1,008 to the end.</summary>
        public double MillisecondsPerStep => clock.Elapsed.TotalMilliseconds / (Steps - 1008);

        public override void OnBatchEnd(TrainingContext context)
        {
            if (++Steps % 21 == 0) samples.Add((Steps, MemoryTrimmer.ResidentBytes()));
            if (Steps == 1008) clock.Start();
        }

        public override void OnTrainEnd(TrainingContext context) => clock.Stop();
    }

    private static int Time(int rounds)
    {
        var ballast = Ballast();
        using var data = Data();
        string[] variants = ["raw loop", "MemoryTrim = null", "trim every 50 steps (old)", "MemoryTrim default"];
        var epochs = variants.ToDictionary(v => v, _ => new List<double>());
        var ratios = variants.ToDictionary(v => v, _ => new List<double>());
        for (var round = 0; round < rounds + 1; round++)
        {
            var medians = new Dictionary<string, double>();
            for (var k = 0; k < variants.Length; k++)
            {
                var variant = variants[(k + round) % variants.Length];
                using var model = Model();
                MemoryTrimmer.Trim();
                var times = variant == "raw loop" ? RawLoop(data, 3) : FitEpochs(model, data, variant);
                medians[variant] = Median(times);
                if (round > 0) epochs[variant].AddRange(times);             // round 0 warms up
            }
            if (round > 0) foreach (var v in variants) ratios[v].Add(medians[v] / medians["MemoryTrim = null"]);
        }
        Console.WriteLine(F($"time: {rounds} rounds × 3 epochs of 63 steps per variant; managed heap {GC.GetTotalMemory(false) / 1e9:F2} GB"));
        Console.WriteLine("| Variant | Median epoch | Median of the rounds' ratios to `MemoryTrim = null` (min–max) |");
        Console.WriteLine("|---|---|---|");
        foreach (var v in variants)
            Console.WriteLine(F($"| {v} | {Median(epochs[v]) * 1000:F0} ms | {Median(ratios[v]):F3} ({ratios[v].Min():F2}–{ratios[v].Max():F2}) |"));
        var (trims, time) = MemoryTrimmer.Statistics;
        Console.WriteLine(F($"default policy: {trims} trims taking {time.TotalMilliseconds:F0} ms in all"));
        GC.KeepAlive(ballast);
        return 0;
    }

    private static List<double> FitEpochs(SequenceModel model, SequenceDataset data, string variant)
    {
        var timer = new EpochTimer(variant == "trim every 50 steps (old)");
        Trainer.Fit(model, data, null, new TrainerOptions
        {
            Loss = new CrossEntropyLoss(), Epochs = 3, BatchSize = Batch, Seed = 3,
            MemoryTrim = variant == "MemoryTrim default" ? new MemoryTrimOptions() : null,
            Callbacks = [timer],
        });
        return timer.Seconds;
    }

    /// <summary>Times epochs; with <paramref name="everyFifty"/> also trims every 50 steps as the trainer did before.</summary>
    private sealed class EpochTimer(bool everyFifty) : Callback
    {
        private readonly Stopwatch clock = new();
        private long steps;

        public List<double> Seconds { get; } = [];

        public override void OnEpochBegin(TrainingContext context) => clock.Restart();

        public override void OnBatchEnd(TrainingContext context)
        {
            if (everyFifty && ++steps % 50 == 0) MemoryTrimmer.Trim();
        }

        public override void OnEpochEnd(TrainingContext context) => Seconds.Add(clock.Elapsed.TotalSeconds);
    }

    /// <summary>The same task as a plain TorchSharp loop: same batches, one dispose scope per step, no trim.</summary>
    private static List<double> RawLoop(SequenceDataset data, int epochs)
    {
        manual_seed(1);
        using var lstm = nn.LSTM(Features, 64, batchFirst: true);
        using var head = nn.Linear(64, Classes);
        var optimizer = optim.Adam(lstm.parameters().Concat(head.parameters()), 1e-3);
        var seconds = new List<double>();
        for (var e = 0; e < epochs; e++)
        {
            var clock = Stopwatch.StartNew();
            foreach (var rows in data.BatchOrder(new BatchOptions { BatchSize = Batch, Seed = 3 + e }))
            {
                using var scope = NewDisposeScope();
                var index = tensor(rows);
                var x = data.Inputs.index_select(0, index);
                var y = data.Targets.index_select(0, index);
                optimizer.zero_grad();
                var (_, h, _) = lstm.call(x);
                var loss = nn.functional.cross_entropy(head.call(h[-1]), y);
                loss.backward();
                optimizer.step();
                loss.item<float>();
            }
            seconds.Add(clock.Elapsed.TotalSeconds);
        }
        return seconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
