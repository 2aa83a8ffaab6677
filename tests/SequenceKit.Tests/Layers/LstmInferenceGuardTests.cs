using Microsoft.Extensions.Logging;
using SequenceKit.Layers;
using SequenceKit.Models;
using SequenceKit.Training;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Layers;

[NonParallelizable]
public class LstmInferenceGuardTests
{
    private static readonly long[] HiddenSizes = [1, 2, 3, 5, 8, 15, 16, 17, 20, 31, 32, 33, 48, 64, 100, 127, 128, 256];

    private LstmInferenceGuardMode saved;

    [SetUp]
    public void Save() => saved = LstmInferenceGuard.Mode;

    [TearDown]
    public void Restore() => LstmInferenceGuard.Mode = saved;

    /// <summary>Predict (no gradients: libtorch's inference kernel unless the guard reroutes) against the same model's grad-mode forward (its training kernel).</summary>
    private static void AssertPredictEqualsGradModeForward(long hidden, int layers, bool bidirectional)
    {
        using var scope = NewDisposeScope();
        using var model = new SequenceModel(Seeded(hidden), Input.Sequence(7),
            new Lstm(hidden, new RecurrentOptions { Layers = layers, Bidirectional = bidirectional, ReturnSequences = true }));
        model.eval();
        var x = Normal(hidden + 1, 5, 20, 7);                                                 // (B, T, F)
        var predicted = Trainer.Predict(model, x);                                            // (B, T, dirs·H)
        Tensor reference;
        using (enable_grad()) reference = model.forward(x).detach();
        Assert.That(reference.requires_grad, Is.False);
        AssertClose(reference, predicted, 1e-5);
    }

    [Test]
    public void Predict_equals_the_grad_mode_forward_for_every_hidden_size_with_the_default_guard(
        [Values(1, 2)] int layers, [Values] bool bidirectional)
    {
        LstmInferenceGuard.Mode = LstmInferenceGuardMode.Automatic;
        foreach (var hidden in HiddenSizes) AssertPredictEqualsGradModeForward(hidden, layers, bidirectional);
    }

    [Test]
    public void The_rerouted_packed_path_equals_the_grad_mode_forward_for_every_hidden_size(
        [Values(1, 2)] int layers, [Values] bool bidirectional)
    {
        // On a CPU whose kernel is right the automatic guard stays off; forcing it proves the route it takes is right.
        LstmInferenceGuard.Mode = LstmInferenceGuardMode.Always;
        foreach (var hidden in HiddenSizes) AssertPredictEqualsGradModeForward(hidden, layers, bidirectional);
    }

    [Test]
    public void The_rerouted_path_returns_the_same_last_hidden_state_as_the_unguarded_call()
    {
        using var model = new SequenceModel(Seeded(), Input.Sequence(4), new Lstm(33, new RecurrentOptions { Layers = 2, Bidirectional = true }));
        using var x = Normal(3, 6, 11, 4);
        using var reference = model.forward(x).detach();                                      // (B, 2H): grad-mode kernel
        LstmInferenceGuard.Mode = LstmInferenceGuardMode.Always;
        using var guarded = Trainer.Predict(model, x);
        AssertClose(reference, guarded, 1e-5);
    }

    [Test]
    public void Only_cpu_inference_without_gradients_is_rerouted()
    {
        LstmInferenceGuard.Mode = LstmInferenceGuardMode.Always;
        using var x = Normal(1, 2, 5, 3);
        using var doubles = x.to(ScalarType.Float64);
        Assert.That(LstmInferenceGuard.Reroutes(x), Is.False, "grad mode uses the training kernel, which is right");
        using (no_grad())
        {
            Assert.That(LstmInferenceGuard.Reroutes(x), Is.True);
            Assert.That(LstmInferenceGuard.Reroutes(doubles), Is.False, "oneDNN's RNN kernels take float32/bfloat16 only");
            LstmInferenceGuard.Mode = LstmInferenceGuardMode.Never;
            Assert.That(LstmInferenceGuard.Reroutes(x), Is.False);
        }
    }

    [Test]
    public void A_disagreement_beyond_the_tolerance_turns_the_guard_on_and_names_the_hidden_sizes()
    {
        var verdict = LstmInferenceGuard.Judge([(5, 0.31), (20, 2e-8), (33, 1.4), (64, 0)]);
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Disagrees, Is.True);
            Assert.That(verdict.FailingHiddenSizes, Is.EqualTo(new long[] { 5, 33 }));
            Assert.That(verdict.LargestDifference, Is.EqualTo(1.4));
            Assert.That(verdict.TestedHiddenSizes, Is.EqualTo(new long[] { 5, 20, 33, 64 }));
        });
        Assert.That(LstmInferenceGuard.Judge([(5, 9e-6), (20, 0)]).Disagrees, Is.False, "within 1e-5");
        Assert.That(LstmInferenceGuard.Judge([(5, double.NaN)]).Disagrees, Is.True, "a NaN output is a disagreement");
    }

    [Test]
    public void The_self_test_agrees_with_a_direct_comparison_on_this_cpu()
    {
        // Independent of the guard's code: the same comparison written out for one size the report found wrong.
        using var scope = NewDisposeScope();
        var lstm = nn.LSTM(3, 5, batchFirst: true);
        var x = Normal(9, 4, 20, 3);
        Tensor inference;
        using (no_grad()) inference = lstm.call(x).Item1;
        var training = lstm.call(x).Item1.detach();
        var directlyWrong = (inference - training).abs().max().item<float>() > LstmInferenceGuard.Tolerance;
        var check = LstmInferenceGuard.SelfTest;
        Assert.That(check.TestedHiddenSizes, Does.Contain(5L));
        if (directlyWrong) Assert.That(check.Disagrees, Is.True, "the kernel is wrong here, so the self-test must see it");
        Assert.That(check.Disagrees, Is.EqualTo(check.FailingHiddenSizes.Count > 0));
    }

    [Test]
    public void The_self_test_leaves_the_global_random_generator_where_it_was()
    {
        manual_seed(77);
        using var expected = randn(8);
        manual_seed(77);
        var check = typeof(LstmInferenceGuard).GetMethod("RunSelfTest", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        check.Invoke(null, null);
        using var actual = randn(8);
        Assert.That(actual.equal(expected).all().item<bool>(), Is.True);
    }

    [Test]
    public void The_environment_variable_sets_the_mode_and_a_bad_value_names_it()
    {
        Assert.Multiple(() =>
        {
            Assert.That(LstmInferenceGuard.ModeFromEnvironment(null), Is.EqualTo(LstmInferenceGuardMode.Automatic));
            Assert.That(LstmInferenceGuard.ModeFromEnvironment("auto"), Is.EqualTo(LstmInferenceGuardMode.Automatic));
            Assert.That(LstmInferenceGuard.ModeFromEnvironment("Always"), Is.EqualTo(LstmInferenceGuardMode.Always));
            Assert.That(LstmInferenceGuard.ModeFromEnvironment(" never "), Is.EqualTo(LstmInferenceGuardMode.Never));
        });
        var e = Assert.Throws<SequenceKitException>(() => LstmInferenceGuard.ModeFromEnvironment("sometimes"))!;
        Assert.That(e.Message, Does.Contain(LstmInferenceGuard.EnvironmentVariable).And.Contain("sometimes"));
        Assert.Throws<ArgumentOutOfRangeException>(() => LstmInferenceGuard.Mode = (LstmInferenceGuardMode)7);
    }

    [Test]
    public void An_active_guard_is_logged_once_at_information()
    {
        var previous = SequenceKitLogging.LoggerFactory;
        var logger = new Backends.DeviceSelectorTests.ListLogger();
        using var factory = new SingleLoggerFactory(logger);
        try
        {
            SequenceKitLogging.LoggerFactory = factory;
            LstmInferenceGuard.Mode = LstmInferenceGuardMode.Always;
            Assert.That(LstmInferenceGuard.IsActive, Is.True);
            Assert.That(LstmInferenceGuard.IsActive, Is.True);
            Assert.That(logger.Lines, Has.Count.EqualTo(1));
            Assert.That(logger.Lines[0], Does.StartWith("Information:").And.Contain(LstmInferenceGuard.EnvironmentVariable));
        }
        finally
        {
            SequenceKitLogging.LoggerFactory = previous;
        }
    }

    private sealed class SingleLoggerFactory(ILogger logger) : ILoggerFactory
    {
        public void AddProvider(ILoggerProvider provider) { }

        public ILogger CreateLogger(string categoryName) => logger;

        public void Dispose() { }
    }
}
