using Microsoft.Extensions.Logging;
using SequenceKit.Backends;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Backends;

public class DeviceSelectorTests
{
    private static readonly FakeCuda NoCuda = new(false, 0);
    private static readonly FakeCuda TwoGpus = new(true, 2);

    [Test]
    public void Automatic_picks_cuda_0_when_available_and_cpu_otherwise()
    {
        Assert.That(DeviceSelector.Select(null, null, TwoGpus).Device, Is.EqualTo(ComputeDevice.Cuda(0)));
        var cpu = DeviceSelector.Select(null, null, NoCuda);
        Assert.That(cpu.Device, Is.EqualTo(ComputeDevice.Cpu));
        Assert.That(cpu.Reason, Does.Contain("automatic").And.Contain("not available"));
    }

    [TestCase("auto")]
    [TestCase("")]
    [TestCase("  ")]
    public void Auto_or_empty_environment_value_means_automatic(string value)
    {
        Assert.That(DeviceSelector.Select(null, value, TwoGpus).Device, Is.EqualTo(ComputeDevice.Cuda(0)));
        Assert.That(DeviceSelector.Select(null, value, NoCuda).Device, Is.EqualTo(ComputeDevice.Cpu));
    }

    [Test]
    public void Environment_variable_overrides_automatic_selection()
    {
        var cpu = DeviceSelector.Select(null, "cpu", TwoGpus);
        Assert.That(cpu.Device, Is.EqualTo(ComputeDevice.Cpu));
        Assert.That(cpu.Reason, Is.EqualTo("SEQUENCEKIT_DEVICE=cpu"));
        Assert.That(DeviceSelector.Select(null, "cuda:1", TwoGpus).Device, Is.EqualTo(ComputeDevice.Cuda(1)));
    }

    [Test]
    public void Code_request_overrides_the_environment_variable()
    {
        var selection = DeviceSelector.Select(ComputeDevice.Cpu, "cuda:1", TwoGpus);
        Assert.That(selection.Device, Is.EqualTo(ComputeDevice.Cpu));
        Assert.That(selection.Reason, Is.EqualTo("requested in code"));
    }

    [Test]
    public void Asking_for_cuda_without_cuda_says_what_was_asked_and_found()
    {
        var fromCode = Assert.Throws<SequenceKitException>(() => DeviceSelector.Select(ComputeDevice.Cuda(0), null, NoCuda))!;
        Assert.That(fromCode.Message, Does.Contain("'cuda:0'").And.Contain("requested in code").And.Contain("CUDA is not available")
            .And.Contain("TorchSharp-cuda-linux"));
        var fromEnvironment = Assert.Throws<SequenceKitException>(() => DeviceSelector.Select(null, "cuda", NoCuda))!;
        Assert.That(fromEnvironment.Message, Does.Contain("SEQUENCEKIT_DEVICE=cuda"));
    }

    [Test]
    public void Asking_for_a_gpu_ordinal_beyond_the_count_names_the_count()
    {
        var error = Assert.Throws<SequenceKitException>(() => DeviceSelector.Select(null, "cuda:2", TwoGpus))!;
        Assert.That(error.Message, Does.Contain("'cuda:2'").And.Contain("2 CUDA GPU(s)").And.Contain("0..1"));
    }

    [Test]
    public void Unknown_environment_value_is_rejected_with_the_variable_and_value()
    {
        var error = Assert.Throws<ArgumentException>(() => DeviceSelector.Select(null, "tpu", TwoGpus))!;
        Assert.That(error.Message, Does.Contain("SEQUENCEKIT_DEVICE").And.Contain("'tpu'"));
    }

    [Test]
    public void Select_reads_the_real_environment_variable_and_logs_the_choice()
    {
        var previous = Environment.GetEnvironmentVariable(DeviceSelector.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(DeviceSelector.EnvironmentVariable, "cpu");
            var logger = new ListLogger();
            var selection = DeviceSelector.Select(null, logger);
            Assert.That(selection.Device, Is.EqualTo(ComputeDevice.Cpu));
            Assert.That(logger.Lines, Has.One.Contains("cpu").And.Contains("SEQUENCEKIT_DEVICE=cpu"));
        }
        finally
        {
            Environment.SetEnvironmentVariable(DeviceSelector.EnvironmentVariable, previous);
        }
    }

    internal sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
