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
/// Memory and throughput of data that outgrows memory (not a BenchmarkDotNet suite: these measure resident memory of
/// one process, which BenchmarkDotNet's harness would disturb). Figures go to docs/performance.md.
///   data-scale windows [steps] [features] [window]: lazy windows over a long series: resident memory of the series,
///       of the dataset and while training 300 shuffled batches, against the size the materialized windows would need.
///   data-scale npy-write PATH rows steps features: writes a float32 .npy file of that shape (streamed) and labels beside it.
///   data-scale npy-train PATH [batches] [memory|file]: trains LSTM(16) on that many shuffled batches of 64 rows from
///       the file (FromNpy: inputs read with pread, a couple of batches advised ahead) or from a copy in memory;
///       prints seconds per batch and peak resident memory.
/// </summary>
internal static class DataScale
{
    public static int Run(string[] args)
    {
        var culture = CultureInfo.InvariantCulture;
        switch (args.ElementAtOrDefault(1))
        {
            case "windows":
            {
                var steps = long.Parse(args.ElementAtOrDefault(2) ?? "10000000", culture);
                var features = int.Parse(args.ElementAtOrDefault(3) ?? "8", culture);
                var window = int.Parse(args.ElementAtOrDefault(4) ?? "200", culture);
                var baseline = Rss();
                Console.WriteLine(F($"start: resident {baseline / 1e6:F0} MB"));
                SequenceDataset dataset;
                using (var series = randn(steps, features))
                {
                    Console.WriteLine(F($"series {steps:N0} × {features} float32: {steps * features * 4 / 1e6:F0} MB; resident +{(Rss() - baseline) / 1e6:F0} MB"));
                    dataset = TimeSeriesWindows.CreateDataset(series, new WindowOptions(window) { TargetFeatures = [0] });
                    Console.WriteLine(F($"lazy dataset made: {dataset.Count:N0} windows; resident +{(Rss() - baseline) / 1e6:F0} MB (the caller's series still alive)"));
                }
                GC.Collect();
                Console.WriteLine(F($"caller's series freed: resident +{(Rss() - baseline) / 1e6:F0} MB; materialized windows would need {dataset.Count * (double)window * features * 4 / 1e9:F1} GB"));
                var peak = Train(dataset, 300, new Lstm(16), out var perBatch);
                Console.WriteLine(F($"trained 300 shuffled batches of 64: {perBatch * 1000:F1} ms/batch; peak resident +{(peak - baseline) / 1e6:F0} MB"));
                dataset.Dispose();
                return 0;
            }
            case "npy-write":
            {
                var path = args[2];
                var (rows, steps, features) = (long.Parse(args[3], culture), int.Parse(args[4], culture), int.Parse(args[5], culture));
                WriteNpy(path, rows, steps, features);
                Console.WriteLine(F($"wrote {path}: {new FileInfo(path).Length / 1e9:F2} GB"));
                return 0;
            }
            case "npy-train":
            {
                var path = args[2];
                var batches = int.Parse(args.ElementAtOrDefault(3) ?? "500", culture);
                var inMemory = args.ElementAtOrDefault(4) == "memory";
                var baseline = Rss();
                using var file = SequenceDataset.FromNpy(path, LabelsPath(path));
                using var data = inMemory ? new SequenceDataset(file.Inputs.clone(), file.Targets.clone()) : file;
                var peak = Train(data, batches, new Lstm(16), out var perBatch);
                Console.WriteLine(F($"{(inMemory ? "in memory" : "from the file")}: {batches} shuffled batches of 64 from {data.Count:N0} rows: {perBatch * 1000:F2} ms/batch; peak resident +{(peak - baseline) / 1e6:F0} MB (peak {peak / 1e6:F0} MB)"));
                return 0;
            }
            default:
                Console.Error.WriteLine("usage: data-scale windows [steps] [features] [window] | npy-write PATH rows steps features | npy-train PATH [batches] [memory|file]");
                return 2;
        }
    }

    private static string LabelsPath(string path) => Path.ChangeExtension(path, ".labels.npy");

    /// <summary>Trains on the first <paramref name="batches"/> batches of a shuffled epoch; returns the peak resident memory.</summary>
    private static long Train(SequenceDataset data, int batches, ISequenceLayer cell, out double secondsPerBatch)
    {
        var classify = data.TargetType == ScalarType.Int64;
        using var model = new SequenceModel(new SequenceModelOptions { Seed = 1 }, Input.Sequence(data.InputShape[^1]), cell, new Dense(classify ? 2 : 1));
        using var stop = new CancellationTokenSource();
        var watch = new PeakWatch();
        var clock = new Stopwatch();
        Trainer.Fit(model, data, null, new TrainerOptions
        {
            Loss = classify ? new CrossEntropyLoss() : new MeanSquaredErrorLoss(),
            Epochs = 1, BatchSize = 64, Seed = 3,
            PrefetchBatches = Environment.GetEnvironmentVariable("DATASCALE_PREFETCH") is { } depth ? int.Parse(depth, CultureInfo.InvariantCulture) : 0,
            MemoryTrim = Environment.GetEnvironmentVariable("DATASCALE_NOTRIM") is null ? new MemoryTrimOptions() : null,
            Callbacks = [new StopAfter(stop, batches, clock, watch)],
        }, stop.Token);
        secondsPerBatch = clock.Elapsed.TotalSeconds / (batches - 10);
        return watch.Peak;
    }

    private sealed class StopAfter(CancellationTokenSource stop, int batches, Stopwatch clock, PeakWatch watch) : Callback
    {
        public override void OnTrainBegin(TrainingContext context)
        {
            if (Environment.GetEnvironmentVariable("DATASCALE_TRACE") is not null) Console.WriteLine(F($"train begin: resident {Rss() / 1e6:F0} MB"));
        }

        public override void OnBatchEnd(TrainingContext context)
        {
            if (Environment.GetEnvironmentVariable("DATASCALE_TRACE") is not null && context.Batch < 3) Console.WriteLine(F($"batch {context.Batch}: resident {Rss() / 1e6:F0} MB"));
            if (context.Batch == 9) clock.Start();                 // the first 10 batches warm up
            if (context.Batch % 20 == 0) watch.Sample();
            if (context.Batch + 1 == batches)
            {
                clock.Stop();
                watch.Sample();
                stop.Cancel();
            }
        }
    }

    private sealed class PeakWatch
    {
        public long Peak { get; private set; }

        public void Sample() => Peak = Math.Max(Peak, Rss());
    }

    /// <summary>Resident memory of this process (VmRSS), in bytes.</summary>
    private static long Rss()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>A float32 (rows, steps, features) .npy file of noise whose label is the sign of the first step's feature 0, written in chunks.</summary>
    private static void WriteNpy(string path, long rows, int steps, int features)
    {
        var random = new Random(1);
        var labels = new long[rows];
        using (var file = File.Create(path))
        {
            SequenceKit.Data.NpyFile.WriteHeader(file, "<f4", rows, steps, features);
            var row = new byte[steps * features * 4];
            var values = new float[steps * features];
            for (long r = 0; r < rows; r++)
            {
                for (var i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() * 2 - 1);
                labels[r] = values[0] > 0 ? 1 : 0;
                Buffer.BlockCopy(values, 0, row, 0, row.Length);
                file.Write(row);
            }
        }
        using var labelFile = File.Create(LabelsPath(path));
        SequenceKit.Data.NpyFile.WriteHeader(labelFile, "<i8", rows);
        foreach (var label in labels) labelFile.Write(BitConverter.GetBytes(label));
    }

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
