using System.Diagnostics;
using System.Text.Json.Nodes;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Tests.IO;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Models;

/// <summary>
/// A crafted (re-signed) manifest whose architecture implies far more parameters than the file holds is refused before
/// anything is allocated: quickly, with little memory, as a <see cref="ModelFileException"/> for <c>manifest.json</c>.
/// </summary>
public class ModelFileArchitectureTests : TemporaryFolderTest
{
    private string SaveTextModel()
    {
        var path = Path.Combine(Folder, "text.skmodel");
        using var model = new SequenceModel(Seeded(5), new Embedding(100, 8), new Lstm(4, new RecurrentOptions { ReturnSequences = true }), new Gru(3), new Dense(1));
        model.Save(path);
        return path;
    }

    private string SaveSequenceModel()
    {
        var path = Path.Combine(Folder, "series.skmodel");
        using var model = new SequenceModel(Seeded(6), Input.Sequence(2), new Lstm(4, new RecurrentOptions { ReturnSequences = true }), new Gru(3), new Dense(1));
        model.Save(path);
        return path;
    }

    /// <summary>Loads the file, which must be refused, and returns the error, the seconds taken and the resident-memory growth in bytes.</summary>
    private static (ModelFileException Error, double Seconds, long Growth) RefusedWithCost(string path)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var before = ResidentBytes();
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<ModelFileException>(() => SequenceModel.Load(path).Dispose())!;
        clock.Stop();
        var growth = ResidentBytes() - before;
        Assert.That(error.Path, Is.EqualTo(path));
        return (error, clock.Elapsed.TotalSeconds, growth);
    }

    /// <summary>The process's resident set (VmRSS) on Linux, which counts libtorch's native memory; 0 elsewhere.</summary>
    private static long ResidentBytes()
    {
        if (!OperatingSystem.IsLinux()) return 0;
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    private static void AssertCheap((ModelFileException Error, double Seconds, long Growth) refusal)
    {
        Assert.That(refusal.Error.Part, Is.EqualTo("manifest.json"));
        Assert.That(refusal.Seconds, Is.LessThan(1), "refused before the layers are allocated");
        Assert.That(refusal.Growth, Is.LessThan(200L << 20), "resident memory growth");
        TestContext.Out.WriteLine($"{refusal.Seconds * 1000:F0} ms, {refusal.Growth / 1e6:F1} MB RSS growth: {refusal.Error.Message}");
    }

    [Test]
    public void An_embedding_of_2_pow_26_rows_is_refused_without_allocating_it()
    {
        var path = SaveTextModel();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => manifest["layers"]![0]!["config"]!["vocabularySize"] = 1L << 26);
        var refusal = RefusedWithCost(path);
        AssertCheap(refusal);
        Assert.That(refusal.Error.Message, Does.Contain("layers[0]").And.Contain("Embedding").And.Contain("536,870,912"), "the layer and its implied elements");
    }

    [Test]
    public void An_embedding_whose_parameter_list_agrees_is_refused_because_the_weights_cannot_hold_it()
    {
        var path = SaveTextModel();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) =>
        {
            manifest["layers"]![0]!["config"]!["vocabularySize"] = 1L << 26;
            var weight = manifest["parameters"]!.AsArray().Single(p => (string)p!["name"]! == "0.weight")!;
            weight["shape"] = new JsonArray(1L << 26, 8);
        });
        AssertCheap(RefusedWithCost(path));
    }

    [TestCase(20_000, TestName = "A GRU of 20,000 units (under the constructor cap)")]
    [TestCase(30_000, TestName = "A GRU of 30,000 units")]
    public void A_huge_gru_is_refused_without_allocating_it(int units)
    {
        var path = SaveSequenceModel();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => manifest["layers"]![2]!["config"]!["units"] = units);
        AssertCheap(RefusedWithCost(path));
    }

    [Test]
    public void Sixty_four_stacked_lstm_layers_of_4096_units_are_refused_without_allocating_them()
    {
        var path = SaveSequenceModel();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) =>
        {
            var config = manifest["layers"]![1]!["config"]!;
            config["units"] = 4096;
            config["options"]!["Layers"] = 64;
        });
        var refusal = RefusedWithCost(path);
        AssertCheap(refusal);
        Assert.That(refusal.Error.InnerException, Is.InstanceOf<InvalidDataException>(), "refused by the parameter check, not by the configuration's JSON");
        Assert.That(refusal.Error.Message, Does.Contain("layers[1]").And.Contain("Lstm").And.Contain("weight_ih_l0"));
    }

    [Test]
    public void A_stacked_or_bidirectional_change_that_keeps_the_size_small_is_still_refused_before_building()
    {
        var path = SaveSequenceModel();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => manifest["layers"]![2]!["config"]!["options"]!["Bidirectional"] = true);
        var error = RefusedWithCost(path).Error;
        Assert.That(error.Part, Is.EqualTo("manifest.json"));
        Assert.That(error.InnerException, Is.InstanceOf<InvalidDataException>(), "refused by the parameter check, not by the configuration's JSON");
        Assert.That(error.Message, Does.Contain("layers[2]").And.Contain("Gru").And.Contain("weight_ih_l0"));
    }

    [Test]
    public void Unchanged_files_still_load()
    {
        foreach (var path in new[] { SaveTextModel(), SaveSequenceModel() })
            Assert.DoesNotThrow(() => SequenceModel.Load(path).Dispose(), path);
    }
}
