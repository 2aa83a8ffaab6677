using System.IO.Compression;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.PyTorch;
using TorchSharp.PyBridge;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.PyTorch;

public class WeightFileTests : TemporaryFolderTest
{
    private static SequenceModel Text(long seed) => new(Seeded(seed), new Embedding(30, 6), new Lstm(5, new RecurrentOptions { Bidirectional = true, ReturnSequences = true }),
        new Gru(4), new Dense(3));

    [TestCase("weights.pth")]
    [TestCase("weights.pt")]
    [TestCase("weights.safetensors")]
    public void Round_trip_reproduces_outputs_exactly(string file)
    {
        var path = Path.Combine(Folder, file);
        using var source = Text(1);
        using var target = Text(2);
        using var tokens = tensor(new long[,] { { 3, 9, 27, 0 }, { 1, 2, 3, 4 } });
        source.SaveWeights(path);
        Assert.That((source.forward(tokens) - target.forward(tokens)).abs().max().item<float>(), Is.GreaterThan(0f), "different weights before");
        target.LoadWeights(path);
        AssertClose(source.forward(tokens), target.forward(tokens), 0);
    }

    [Test]
    public void The_pth_file_is_a_pytorch_state_dict_with_pytorch_parameter_names()
    {
        var path = Path.Combine(Folder, "weights.pth");
        using var model = Text(1);
        model.SaveWeights(path);
        using (var zip = ZipFile.OpenRead(path))
            Assert.That(zip.Entries.Select(e => e.FullName), Has.Some.EndsWith("data.pkl"), "torch.save's zip layout");
        var names = PyTorchUnpickler.UnpickleStateDict(path).Keys.Cast<string>();
        Assert.That(names, Is.EquivalentTo(new[]
        {
            "0.weight",
            "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0",
            "1.weight_ih_l0_reverse", "1.weight_hh_l0_reverse", "1.bias_ih_l0_reverse", "1.bias_hh_l0_reverse",
            "2.weight_ih_l0", "2.weight_hh_l0", "2.bias_ih_l0", "2.bias_hh_l0",
            "3.weight", "3.bias",
        }));
    }

    [Test]
    public void Names_that_do_not_match_are_listed_and_the_model_is_unchanged()
    {
        var path = Path.Combine(Folder, "other.safetensors");
        using (var other = new SequenceModel(Seeded(3), new Embedding(30, 6), new Gru(4), new Dense(3))) other.SaveWeights(path);
        using var model = Text(1);
        var before = model.parameters().Select(p => p.clone()).ToList();
        var error = Assert.Throws<ModelFileException>(() => model.LoadWeights(path))!;
        Assert.That(error.Message, Does.Contain("Missing: [").And.Contain("1.weight_ih_l0_reverse").And.Contain("unexpected: [").And.Contain("'1.weight_ih_l0'"));
        Assert.That(model.parameters().Zip(before).All(p => p.First.equal(p.Second).all().item<bool>()), Is.True, "nothing was loaded");
    }

    [Test]
    public void A_shape_mismatch_names_the_parameter_and_both_shapes()
    {
        var path = Path.Combine(Folder, "wide.pth");
        using (var wide = new SequenceModel(Seeded(3), Input.Sequence(2), new Gru(5))) wide.SaveWeights(path);
        using var model = new SequenceModel(Seeded(1), Input.Sequence(2), new Gru(4));
        var error = Assert.Throws<ModelFileException>(() => model.LoadWeights(path))!;
        Assert.That(error.Message, Does.Contain("'1.weight_ih_l0' has shape [15, 2] in the file but [12, 2] in the model"));
    }

    [TestCase("garbage.pth")]
    [TestCase("garbage.safetensors")]
    public void Foreign_or_truncated_files_are_rejected_clearly(string file)
    {
        var path = Path.Combine(Folder, file);
        File.WriteAllBytes(path, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        using var model = Text(1);
        Assert.That(Assert.Throws<ModelFileException>(() => model.LoadWeights(path))!.Message, Does.Contain("is not a readable"));

        var good = Path.Combine(Folder, "good" + Path.GetExtension(file));
        model.SaveWeights(good);
        File.WriteAllBytes(path, File.ReadAllBytes(good)[..(int)(new FileInfo(good).Length / 2)]);
        Assert.Throws<ModelFileException>(() => model.LoadWeights(path));
    }

    [Test]
    public void The_extension_chooses_the_format()
    {
        using var model = Text(1);
        var error = Assert.Throws<ArgumentException>(() => model.SaveWeights(Path.Combine(Folder, "weights.bin")))!;
        Assert.That(error.Message, Does.Contain(".pth, .pt or .safetensors").And.Contain("'.bin'"));
        Assert.Throws<FileNotFoundException>(() => model.LoadWeights(Path.Combine(Folder, "missing.pth")));
    }
}
