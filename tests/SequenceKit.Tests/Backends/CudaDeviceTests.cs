using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;

namespace SequenceKit.Tests.Backends;

public class CudaDeviceTests
{
    [SetUp]
    public void RequireCuda()
    {
        if (!torch.cuda.is_available())
            Assert.Ignore("Needs a CUDA device: torch.cuda.is_available() is false here (CPU-only backend TorchSharp-cpu, or no GPU). " +
                          "Run with -p:TorchBackend=cuda on a machine with an NVIDIA GPU.");
    }

    [Test]
    public void Model_requested_on_cuda_keeps_parameters_and_outputs_there()
    {
        using var model = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cuda(0), Seed = 1 },
            new Embedding(50, 8), new Gru(16, new RecurrentOptions { Bidirectional = true }), new Dense(3, Activation.Softmax));
        Assert.That(model.Device, Is.EqualTo(ComputeDevice.Cuda(0)));
        Assert.That(model.parameters().All(p => p.device_type == DeviceType.CUDA), Is.True);
        using var tokens = TestData.Tokens(3, 50, 4, 7);                // on the CPU
        using var output = model.forward(tokens);
        Assert.That(output.device_type, Is.EqualTo(DeviceType.CUDA));
    }

    [Test]
    public void Cuda_and_cpu_give_the_same_outputs_for_the_same_weights()
    {
        using var cpu = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cpu, Seed = 2 }, Input.Sequence(4), new Lstm(8), new Dense(2));
        using var gpu = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cuda(0), Seed = 2 }, Input.Sequence(4), new Lstm(8), new Dense(2));
        using var x = TestData.Normal(5, 3, 6, 4);
        TestData.AssertClose(cpu.forward(x), gpu.forward(x), 1e-4);
    }
}
