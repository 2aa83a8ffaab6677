using SequenceKit.Backends;

namespace SequenceKit.Tests.Backends;

public class ComputeDeviceTests
{
    [TestCase("cpu", DeviceKind.Cpu, 0)]
    [TestCase(" CPU ", DeviceKind.Cpu, 0)]
    [TestCase("cuda", DeviceKind.Cuda, 0)]
    [TestCase("cuda:0", DeviceKind.Cuda, 0)]
    [TestCase("CUDA:3", DeviceKind.Cuda, 3)]
    public void Parse_accepts_the_documented_names(string text, DeviceKind kind, int index)
    {
        var device = ComputeDevice.Parse(text);
        Assert.That(device, Is.EqualTo(new ComputeDevice(kind, index)));
    }

    [TestCase("gpu")]
    [TestCase("cuda:")]
    [TestCase("cuda:-1")]
    [TestCase("cuda:x")]
    [TestCase("")]
    public void Parse_rejects_other_names_and_echoes_them(string text)
    {
        var error = Assert.Throws<ArgumentException>(() => ComputeDevice.Parse(text))!;
        Assert.That(error.Message, Does.Contain($"'{text}'").And.Contain("cuda:N"));
    }

    [Test]
    public void ToString_round_trips_through_Parse()
    {
        foreach (var device in new[] { ComputeDevice.Cpu, ComputeDevice.Cuda(0), ComputeDevice.Cuda(5) })
            Assert.That(ComputeDevice.Parse(device.ToString()), Is.EqualTo(device));
        Assert.That(ComputeDevice.Cuda(2).ToString(), Is.EqualTo("cuda:2"));
    }

    [Test]
    public void Cuda_rejects_a_negative_ordinal()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => ComputeDevice.Cuda(-1))!;
        Assert.That(error.ParamName, Is.EqualTo("index"));
    }
}
