using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json.Nodes;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Preprocessing;
using SequenceKit.Tests.IO;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Models;

/// <summary>Every part of a model file is verified, every size is bounded, and every failure is a <see cref="ModelFileException"/> naming the part.</summary>
public class ModelFileIntegrityTests : TemporaryFolderTest
{
    private string SaveWithScaler()
    {
        var path = Path.Combine(Folder, "series.skmodel");
        var scaler = new StandardScaler();
        scaler.Fit(new float[,] { { 0.00654f }, { 1 } });
        using var model = new SequenceModel(Seeded(4), Input.Sequence(1), new Gru(3), new Dense(1));
        model.Scalers["inputs"] = scaler;
        model.Save(path);
        return path;
    }

    private static ModelFileException Refused(string path) => Assert.Throws<ModelFileException>(() => SequenceModel.Load(path).Dispose())!;

    [Test]
    public void A_file_written_by_format_version_1_still_loads()
    {
        // Written by SequenceKit 0.1.0 (commit 284b988) before format version 2: Input(2)-Gru(3)-Dense(1), seed 11,
        // StandardScaler "inputs" fitted on feature 0 = {10, 12, 14, 16}, feature 1 = {1000, 1100, 900, 1300}.
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Models", "Fixtures", "v1-series.skmodel");
        using var model = SequenceModel.Load(path);
        using var x = tensor(new float[] { 0.5f, -1f, 0.25f, 2f, -0.75f, 1.5f }, 1, 3, 2);
        using var y = model.forward(x);
        Assert.That(y.item<float>(), Is.EqualTo(-0.6367123f).Within(1e-6), "the output that version printed for this input");
        // By hand: feature 0 has mean 13 and population std √5; feature 1 mean 1075 and std √21875.
        var scaled = model.Scalers["inputs"].Transform(new float[,] { { 11, 1000 } });
        Assert.That(scaled[0, 0], Is.EqualTo(-2 / Math.Sqrt(5)).Within(1e-6));
        Assert.That(scaled[0, 1], Is.EqualTo(-75 / Math.Sqrt(21875)).Within(1e-6));
    }

    [Test]
    public void A_flipped_byte_in_a_scaler_is_refused()
    {
        var path = SaveWithScaler();
        ArchiveEditor.Rewrite(path, "manifest.json", (_, entries) =>
        {
            var json = System.Text.Encoding.UTF8.GetString(entries["scalers/inputs.json"]);
            var at = json.IndexOf("0.00", StringComparison.Ordinal);
            Assert.That(at, Is.GreaterThan(0), "the scaler's minimum 0.00654 is written");
            entries["scalers/inputs.json"][at + 2] ^= 0x02;               // 0.00654 → 0.02654
        }, resign: false);
        Assert.That(Refused(path).Part, Is.EqualTo("scalers/inputs.json"));
    }

    [Test]
    public void A_renamed_scalers_key_is_refused()
    {
        var path = SaveWithScaler();
        var edit = (JsonObject manifest, Dictionary<string, byte[]> _) =>
        {
            manifest["scalars"] = manifest["scalers"]!.DeepClone();
            manifest.Remove("scalers");
        };
        ArchiveEditor.Rewrite(path, "manifest.json", edit, resign: false);
        Assert.That(Refused(path).Part, Is.EqualTo("manifest.json"), "the manifest's own hash");

        path = SaveWithScaler();
        ArchiveEditor.Rewrite(path, "manifest.json", edit, resign: true);
        Assert.That(Refused(path).Part, Is.EqualTo("manifest.json"), "re-signed: the scaler entry is not accounted for");
    }

    [Test]
    public void A_manifest_without_its_hash_is_refused()
    {
        var path = SaveWithScaler();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => manifest.Remove("sha256"), resign: false);
        Assert.That(Refused(path).Part, Is.EqualTo("manifest.json"));
    }

    [TestCase("layers", "[]", TestName = "No layers")]
    [TestCase("parts", "{\"weights.dat\": {\"bytes\": 3000000000, \"sha256\": \"00\"}}", TestName = "Weights declared as 3e9 bytes")]
    [TestCase("parameters", "[{\"name\": \"1.weight_ih_l0\", \"shape\": [1099511627776, 8]}]", TestName = "A parameter of 2^43 elements")]
    public void Absurd_sizes_in_the_manifest_are_a_model_file_exception(string property, string json)
    {
        var path = SaveWithScaler();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => manifest[property] = JsonNode.Parse(json), resign: false);
        // resign: false re-serializes the manifest; re-sign it by hand so that the size check, not the hash, refuses it.
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => SequenceKit.IO.FileFormat.Sign(manifest), resign: false);
        var error = Refused(path);
        Assert.That(error.Path, Is.EqualTo(path));
        Assert.That(error.Part, Is.Not.Null);
    }

    [Test]
    public void A_huge_dense_layer_in_a_crafted_manifest_is_a_model_file_exception()
    {
        var path = SaveWithScaler();
        ArchiveEditor.Rewrite(path, "manifest.json", (manifest, _) => manifest["layers"]![2]!["config"]!["units"] = 1L << 40, resign: true);
        Assert.That(Refused(path).Part, Is.EqualTo("manifest.json"));
    }

    [Test]
    public void A_crafted_scaler_with_a_huge_feature_count_is_refused_without_allocating()
    {
        var path = SaveWithScaler();
        ArchiveEditor.Rewrite(path, "manifest.json", (_, entries) =>
        {
            var scaler = JsonNode.Parse(entries["scalers/inputs.json"])!.AsObject();
            scaler["state"]!["featureCount"] = 2_000_000_000;
            scaler.Remove("sha256");
            entries["scalers/inputs.json"] = System.Text.Encoding.UTF8.GetBytes(scaler.ToJsonString());
        }, resign: true);
        Assert.That(Refused(path).Part, Is.EqualTo("scalers/inputs.json"));
    }

    [Test]
    public void A_zip_bomb_is_refused_quickly_with_bounded_memory()
    {
        var path = SaveWithScaler();
        var entries = ArchiveEditor.Read(path);
        var declared = entries["weights.dat"].Length;
        entries["weights.dat"] = new byte[256 << 20];                    // 256 MiB of zeros: about 250 KB deflated
        ArchiveEditor.Write(path, entries);
        PatchUncompressedSize(path, "weights.dat", declared);            // the headers now claim the original size

        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var error = Refused(path);
        clock.Stop();
        Assert.That(error.Part, Is.EqualTo("weights.dat"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        Assert.That(GC.GetTotalAllocatedBytes(precise: true) - allocated, Is.LessThan(32L << 20), "far less than the 256 MiB inside");
    }

    [Test]
    public void A_named_pipe_or_a_directory_is_refused_at_once()
    {
        Assume.That(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "named pipes: Unix only");
        var fifo = Path.Combine(Folder, "pipe.skmodel");
        using (var mkfifo = Process.Start("mkfifo", fifo)) mkfifo.WaitForExit();
        var load = Task.Run(() => Refused(fifo));
        Assert.That(load.Wait(TimeSpan.FromSeconds(20)), Is.True, "Load returned instead of waiting for a writer");
        Assert.That(load.Result.Path, Is.EqualTo(fifo));

        var folder = Path.Combine(Folder, "folder.skmodel");
        Directory.CreateDirectory(folder);
        Assert.That(Refused(folder).Path, Is.EqualTo(folder));
    }

    /// <summary>Sets an entry's uncompressed size in its local header (offset 22) and central directory record (offset 24).</summary>
    private static void PatchUncompressedSize(string path, string name, int size)
    {
        var bytes = File.ReadAllBytes(path);
        var nameBytes = System.Text.Encoding.UTF8.GetBytes(name);
        for (var i = 0; i + 46 < bytes.Length; i++)
        {
            var signature = BitConverter.ToUInt32(bytes, i);
            if (signature == 0x04034b50 && bytes.AsSpan(i + 30, nameBytes.Length).SequenceEqual(nameBytes))
                BitConverter.GetBytes(size).CopyTo(bytes, i + 22);
            else if (signature == 0x02014b50 && bytes.AsSpan(i + 46, nameBytes.Length).SequenceEqual(nameBytes))
                BitConverter.GetBytes(size).CopyTo(bytes, i + 24);
        }
        File.WriteAllBytes(path, bytes);
    }
}
