using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static TorchSharp.torch;

namespace SequenceKit.TestHost;

/// <summary>
/// The corruption scan ("corruption-scan model|checkpoint FOLDER PART PARTS"): writes a small file deterministically,
/// then for its share of the bytes (every PARTS-th byte from PART) flips one bit of that byte (bit = offset mod 8), reads
/// the corrupted copy and sorts the outcome. Run in a child process, so a native crash ends the scan with a signal that
/// the parent sees (the offset being read is in TARGET.offset). Prints one line per bad outcome ("bad OFFSET OUTCOME DETAIL") and a last line
/// "tried N refused N identical N different N wrong-exception N changed-on-refusal N".
/// </summary>
public static class CorruptionScan
{
    /// <summary>Runs one part of a scan; returns the process exit code (0 when the scan ran to the end).</summary>
    public static int Run(string kind, string folder, int part, int parts)
    {
        Directory.CreateDirectory(folder);
        return kind switch
        {
            "model" => Scan(ModelScanner(folder), part, parts),
            "checkpoint" => Scan(CheckpointScanner(folder), part, parts),
            _ => throw new ArgumentException($"kind is '{kind}'; expected 'model' or 'checkpoint'", nameof(kind)),
        };
    }

    /// <summary>What reading one corrupted copy gave.</summary>
    private enum Outcome { Refused, Identical, Different, WrongException, ChangedOnRefusal }

    private sealed record Scanner(byte[] Pristine, string Target, Func<(Outcome Outcome, string Detail)> ReadTarget);

    private static int Scan(Scanner scanner, int part, int parts)
    {
        var counts = new Dictionary<Outcome, int>();
        var tried = 0;
        for (var offset = part; offset < scanner.Pristine.Length; offset += parts)
        {
            var corrupted = (byte[])scanner.Pristine.Clone();
            corrupted[offset] ^= (byte)(1 << (offset % 8));
            File.WriteAllBytes(scanner.Target, corrupted);
            File.WriteAllText(scanner.Target + ".offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var (outcome, detail) = scanner.ReadTarget();
            counts[outcome] = counts.GetValueOrDefault(outcome) + 1;
            tried++;
            if (outcome is not (Outcome.Refused or Outcome.Identical)) Console.WriteLine($"bad {offset} {outcome} {detail}");
        }
        Console.WriteLine($"tried {tried} refused {counts.GetValueOrDefault(Outcome.Refused)} identical {counts.GetValueOrDefault(Outcome.Identical)} " +
            $"different {counts.GetValueOrDefault(Outcome.Different)} wrong-exception {counts.GetValueOrDefault(Outcome.WrongException)} " +
            $"changed-on-refusal {counts.GetValueOrDefault(Outcome.ChangedOnRefusal)}");
        return 0;
    }

    /// <summary>A token model with every optional part: a scaler, a vocabulary with its tokenizer, class names.</summary>
    private static SequenceModel ScannedModel()
    {
        var vocabulary = Vocabulary.FromTexts(["the cat sat", "a dog ran far", "the bird flew"]);
        var model = new SequenceModel(new SequenceModelOptions { Seed = 4, Device = Backends.ComputeDevice.Cpu },
            new Embedding(vocabulary.Count, 3), new Gru(3), new Dense(3, Activation.Softmax));
        var scaler = new StandardScaler();
        scaler.Fit(new[,] { { 0.5, 3.0 }, { 1.5, -1.0 }, { 4.0, 2.0 } });
        model.Scalers["inputs"] = scaler;
        model.Vocabulary = vocabulary;
        model.ClassNames = ["cat", "dog", "bird"];
        return model;
    }

    /// <summary>Everything a loaded model is compared on: weights, outputs, scalers, vocabulary and class names.</summary>
    private static string Fingerprint(SequenceModel model)
    {
        using var scope = NewDisposeScope();
        using var buffer = new MemoryStream();
        model.save(buffer);
        model.eval();
        using var noGrad = no_grad();
        var output = model.forward(tensor(new long[] { 1, 2, 3, 0, 2, 4 }).reshape(2, 3), null);
        return string.Join("\n",
            Convert.ToHexString(buffer.ToArray()),
            string.Join(",", output.data<float>().ToArray().Select(v => v.ToString("R"))),
            string.Join(";", model.Scalers.Select(p => p.Key + "=" + p.Value.ToJson())),
            model.Vocabulary?.ToJson() ?? "-",
            string.Join(",", model.ClassNames ?? []));
    }

    private static Scanner ModelScanner(string folder)
    {
        var path = Path.Combine(folder, "scanned.skmodel");
        string expected;
        using (var model = ScannedModel())
        {
            model.Save(path);
            expected = Fingerprint(model);
        }
        var target = Path.Combine(folder, "corrupted.skmodel");
        return new Scanner(File.ReadAllBytes(path), target, () =>
        {
            try
            {
                using var loaded = SequenceModel.Load(target);
                return Fingerprint(loaded) == expected ? (Outcome.Identical, "") : (Outcome.Different, "loaded with different contents");
            }
            catch (ModelFileException)
            {
                return (Outcome.Refused, "");
            }
            catch (Exception e)
            {
                return (Outcome.WrongException, $"{e.GetType().Name}: {Flat(e.Message)}");
            }
        });
    }

    private static Scanner CheckpointScanner(string folder)
    {
        // Two epochs written by ModelCheckpoint; a resume trains one more epoch, so optimizer state and history count.
        var data = ResumeRun.Data();
        using (var model = ResumeRun.Model())
            Trainer.Fit(model, data, null, ResumeRun.Options(folder, 2));
        var pristine = File.ReadAllBytes(ResumeRun.Checkpoint(folder));
        var target = Path.Combine(folder, "corrupted.ckpt");
        File.WriteAllBytes(target, pristine);
        var fresh = ResumeRun.Model();
        var freshWeights = Weights(fresh);
        var expected = Resume(fresh, data, target).Fingerprint ?? throw new InvalidOperationException("the pristine checkpoint does not resume");
        fresh.Dispose();
        fresh = ResumeRun.Model();
        return new Scanner(pristine, target, () =>
        {
            // A refused resume must leave the model as it was, so the same fresh model serves until a resume succeeds.
            var (fingerprint, error) = Resume(fresh, data, target);
            var after = Weights(fresh);
            if (error is null)
            {
                fresh.Dispose();
                fresh = ResumeRun.Model();
                return fingerprint == expected ? (Outcome.Identical, "") : (Outcome.Different, "resumed to different weights or history");
            }
            if (error is not SequenceKitException) return (Outcome.WrongException, $"{error.GetType().Name}: {Flat(error.Message)}");
            if (after == freshWeights) return (Outcome.Refused, "");
            fresh.Dispose();
            fresh = ResumeRun.Model();
            return (Outcome.ChangedOnRefusal, Flat(error.Message));
        });
    }

    private static (string? Fingerprint, Exception? Error) Resume(SequenceModel model, SequenceDataset data, string checkpoint)
    {
        try
        {
            var history = Trainer.Fit(model, data, null, ResumeRun.Options(Path.GetDirectoryName(checkpoint)!, 3) with
            {
                ResumeFrom = checkpoint,
                Callbacks = [],
            });
            var epochs = string.Join(";", history.Epochs.Select(e => $"{e.Epoch}:{e.LearningRate:R}:" +
                string.Join(",", e.Metrics.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m => $"{m.Key}={m.Value:R}"))));
            return (Weights(model) + "\n" + epochs, null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    private static string Weights(SequenceModel model)
    {
        using var buffer = new MemoryStream();
        model.save(buffer);
        return Convert.ToHexString(buffer.ToArray());
    }

    private static string Flat(string message) => message.ReplaceLineEndings(" ");
}
