using Microsoft.Extensions.Logging;
using SequenceKit.Backends;
using SequenceKit.Tests.Backends;
using SequenceKit.Preprocessing;
using SequenceKit.Training;
using static SequenceKit.Tests.Training.TrainingData;

namespace SequenceKit.Tests;

/// <summary>One factory set once reaches every component that logs; a component's own logger still wins.</summary>
public class LoggingTests
{
    [Test]
    public void One_logger_factory_reaches_the_device_choice_the_trainer_and_padding_and_an_own_logger_takes_precedence()
    {
        var previous = SequenceKitLogging.LoggerFactory;
        using var factory = new RecordingFactory();
        try
        {
            SequenceKitLogging.LoggerFactory = factory;
            using var train = Dataset(32, 1);
            using var model = Model();
            Trainer.Fit(model, train, null, Options(epochs: 2));
            PadSequences.Tokens(new[] { new[] { 3, 0, 4 } });

            Assert.That(factory.Lines("SequenceKit.Backends.DeviceSelector"), Has.Some.Contains("SequenceKit device: cpu"));
            Assert.That(factory.Lines(Trainer.LogCategory), Has.Count.EqualTo(2).And.Some.StartsWith("Information: Epoch 2/2"));
            Assert.That(factory.Lines("SequenceKit.Preprocessing.PadSequences"), Has.One.StartsWith("Warning:").And.Contains("position 1"));

            var own = new DeviceSelectorTests.ListLogger();
            Trainer.Fit(model, train, null, Options(epochs: 1) with { Logger = own });
            Assert.That(own.Lines, Has.Count.EqualTo(1));
            Assert.That(factory.Lines(Trainer.LogCategory), Has.Count.EqualTo(2), "the factory got nothing more");
        }
        finally
        {
            SequenceKitLogging.LoggerFactory = previous;
        }
        Assert.Throws<ArgumentNullException>(() => SequenceKitLogging.LoggerFactory = null!);
    }

    private sealed class RecordingFactory : ILoggerFactory
    {
        private readonly Dictionary<string, DeviceSelectorTests.ListLogger> loggers = [];

        public List<string> Lines(string category) => loggers.TryGetValue(category, out var logger) ? logger.Lines : [];

        public void AddProvider(ILoggerProvider provider) { }

        public ILogger CreateLogger(string categoryName) =>
            loggers.TryGetValue(categoryName, out var logger) ? logger : loggers[categoryName] = new DeviceSelectorTests.ListLogger();

        public void Dispose() { }
    }
}
