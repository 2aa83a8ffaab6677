using SequenceKit.Backends;
using SequenceKit.Layers;
using SequenceKit.Models;
using TorchSharp;
using static TorchSharp.torch;
using static SequenceKit.Tests.TestData;

namespace SequenceKit.Tests.Models;

public class SequenceModelTests
{
    [Test]
    public void Infers_each_layers_input_size_from_the_previous_layer()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(100, 16),
            new Lstm(12, new RecurrentOptions { ReturnSequences = true, Bidirectional = true }),
            new Dropout(0.1), new Gru(8), new Dense(5, Activation.Softmax));
        var shapes = model.LayerSummaries.Select(r => r.OutputShape).ToArray();
        Assert.That(shapes, Is.EqualTo(new[]
        {
            LayerShape.Sequence(16), LayerShape.Sequence(24), LayerShape.Sequence(24), LayerShape.Vector(8), LayerShape.Vector(5),
        }));
        using var tokens = Tokens(1, 100, 3, 9);
        Assert.That(model.forward(tokens).shape, Is.EqualTo(new long[] { 3, 5 }));
        var gru = (TorchSharp.Modules.GRU)model.Layers[3].Module!;
        Assert.That(gru.parameters().First().shape, Is.EqualTo(new long[] { 3 * 8, 24 }), "GRU input size inferred as 2 × 12");
    }

    [Test]
    public void Summary_matches_keras_layout_and_torchsharp_counts()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(1000, 64), new Lstm(128), new Dense(10, Activation.Softmax));
        var summary = model.Summary();
        // Embedding 1000·64; LSTM 4·128·(64+128) + 2·4·128 (Keras: 98,816 with one bias vector); Dense 128·10 + 10.
        Assert.That(summary, Does.Contain("embedding_0 (Embedding)").And.Contain("(batch, time, 64)").And.Contain("64,000"));
        Assert.That(summary, Does.Contain("lstm_1 (Lstm)").And.Contain("(batch, 128)").And.Contain("99,328"));
        Assert.That(summary, Does.Contain("dense_2 (Dense)").And.Contain("(batch, 10)").And.Contain("1,290"));
        Assert.That(summary, Does.Contain("Total params: 164,618").And.Contain("Trainable params: 164,618").And.Contain("Non-trainable params: 0"));
        Assert.That(summary, Does.Contain($"on {model.Device}"));
        Assert.That(model.ParameterCount, Is.EqualTo(164_618));
    }

    [Test]
    public void Parameter_names_are_layer_index_then_the_pytorch_name()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(10, 4), new Lstm(3), new Dense(2));
        Assert.That(model.state_dict().Keys, Is.EquivalentTo(new[]
        {
            "0.weight", "1.weight_ih_l0", "1.weight_hh_l0", "1.bias_ih_l0", "1.bias_hh_l0", "2.weight", "2.bias",
        }));
    }

    [Test]
    public void Same_seed_gives_the_same_weights()
    {
        using var a = new SequenceModel(Seeded(5), Input.Sequence(3), new Gru(4), new Dense(2));
        using var b = new SequenceModel(Seeded(5), Input.Sequence(3), new Gru(4), new Dense(2));
        using var c = new SequenceModel(Seeded(6), Input.Sequence(3), new Gru(4), new Dense(2));
        using var x = Normal(1, 2, 4, 3);
        AssertClose(a.forward(x), b.forward(x), 0);
        Assert.That((a.forward(x) - c.forward(x)).abs().max().item<float>(), Is.GreaterThan(0f));
    }

    [Test]
    public void Runs_on_the_selected_device_and_moves_inputs_there()
    {
        using var model = new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cpu }, Input.Sequence(2), new Lstm(3));
        Assert.That(model.Device, Is.EqualTo(ComputeDevice.Cpu));
        Assert.That(model.DeviceSelection.Reason, Is.EqualTo("requested in code"));
        Assert.That(model.parameters().All(p => p.device_type == DeviceType.CPU), Is.True);
        using var doubles = Normal(1, 2, 3, 2).to(ScalarType.Float64);      // converted to float32 for the model
        Assert.That(model.forward(doubles).dtype, Is.EqualTo(ScalarType.Float32));
    }

    [Test]
    public void Asking_for_cuda_on_a_machine_without_it_fails_before_building()
    {
        if (cuda.is_available()) Assert.Ignore("This machine has CUDA; the test covers machines without it.");
        var error = Assert.Throws<SequenceKitException>(() =>
            new SequenceModel(new SequenceModelOptions { Device = ComputeDevice.Cuda(0) }, Input.Sequence(2), new Lstm(3)))!;
        Assert.That(error.Message, Does.Contain("'cuda:0'").And.Contain("CUDA is not available"));
    }

    [Test]
    public void Forward_leaves_no_tensor_behind()
    {
        using var model = new SequenceModel(Seeded(), new Embedding(20, 4), new Gru(5, new RecurrentOptions { Bidirectional = true }), new Dense(2));
        using var tokens = tensor(new long[,] { { 1, 2, 3, 0 }, { 4, 5, 0, 0 } });
        using (model.forward(tokens)) { }                    // warm-up creates any lazily allocated state
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (var i = 0; i < 5; i++)
            using (model.forward(tokens)) { }
        Assert.That(DisposeScopeManager.Statistics.ThreadTotalLiveCount, Is.EqualTo(before));
    }

    // --- composition errors ---

    [Test]
    public void A_first_layer_that_cannot_infer_its_input_asks_for_an_Input()
    {
        var error = Assert.Throws<SequenceKitException>(() => new SequenceModel(new Lstm(4)))!;
        Assert.That(error.Message, Does.Contain("Layer 0 (Lstm)").And.Contain("Input.Sequence(features)"));
    }

    [Test]
    public void An_Embedding_after_the_first_position_names_both_layers_and_shapes()
    {
        var error = Assert.Throws<SequenceKitException>(() => new SequenceModel(Input.Sequence(3), new Embedding(10, 4)))!;
        Assert.That(error.Message, Does.Contain("Layer 1 (Embedding)").And.Contain("layer 0 (Input)")
            .And.Contain("(batch, time, 3)").And.Contain("token indices"));
    }

    [Test]
    public void A_recurrent_layer_after_one_without_time_axis_suggests_return_sequences()
    {
        var error = Assert.Throws<SequenceKitException>(() => new SequenceModel(Input.Sequence(3), new Lstm(8), new Gru(4)))!;
        Assert.That(error.Message, Does.Contain("Layer 2 (Gru)").And.Contain("layer 1 (Lstm)").And.Contain("(batch, 8)")
            .And.Contain("ReturnSequences = true"));
    }

    [Test]
    public void A_recurrent_layer_on_raw_tokens_suggests_an_embedding()
    {
        var error = Assert.Throws<SequenceKitException>(() => new SequenceModel(Input.Vector(3), new Dense(2), new SimpleRnn(4)))!;
        Assert.That(error.Message, Does.Contain("Layer 2 (SimpleRnn)").And.Contain("(batch, 2)"));
    }

    [Test]
    public void Layers_cannot_be_missing_null_repeated_or_reused()
    {
        Assert.That(Assert.Throws<ArgumentException>(() => new SequenceModel())!.ParamName, Is.EqualTo("layers"));
        Assert.That(Assert.Throws<ArgumentException>(() => new SequenceModel(Input.Sequence(2), null!))!.Message, Does.Contain("layers[1] is null"));
        var dense = new Dense(2);
        Assert.That(Assert.Throws<ArgumentException>(() => new SequenceModel(Input.Vector(2), dense, dense))!.Message,
            Does.Contain("layers[2]").And.Contain("layers[1]"));
        var lstm = new Lstm(3);
        using var first = new SequenceModel(Input.Sequence(2), lstm);
        Assert.That(Assert.Throws<InvalidOperationException>(() => new SequenceModel(Input.Sequence(2), lstm))!.Message,
            Does.Contain("already built"));
    }

    // --- bad input ---

    [Test]
    public void Wrong_rank_names_expected_and_actual_shape()
    {
        using var model = new SequenceModel(Input.Sequence(3), new Lstm(4));
        using var x = zeros(2, 3);
        var error = Assert.Throws<ArgumentException>(() => model.forward(x))!;
        Assert.That(error.ParamName, Is.EqualTo("input"));
        Assert.That(error.Message, Does.Contain("rank 3").And.Contain("(batch, time, 3)").And.Contain("rank 2").And.Contain("[2, 3]"));
    }

    [Test]
    public void Wrong_feature_count_names_expected_and_actual()
    {
        using var model = new SequenceModel(Input.Sequence(3), new Gru(4));
        using var x = zeros(2, 5, 7);
        var error = Assert.Throws<ArgumentException>(() => model.forward(x))!;
        Assert.That(error.Message, Does.Contain("3 features").And.Contain("got 7").And.Contain("[2, 5, 7]"));
    }

    [TestCase(1000L)]
    [TestCase(-1L)]
    public void Out_of_range_token_names_the_index_and_vocabulary_size(long badToken)
    {
        using var model = new SequenceModel(new Embedding(1000, 4), new Lstm(3));
        using var tokens = tensor(new long[,] { { 1, 2, 3 }, { 4, badToken, 6 } });
        var error = Assert.Throws<ArgumentException>(() => model.forward(tokens))!;
        Assert.That(error.Message, Does.Contain($"Token index {badToken} at [1, 1]").And.Contain("vocabulary size 1000").And.Contain("0..999"));
    }

    [Test]
    public void Float_values_given_to_an_embedding_model_are_rejected()
    {
        using var model = new SequenceModel(new Embedding(10, 4), new Lstm(3));
        using var x = zeros(2, 3);
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x))!.Message, Does.Contain("integer token indices").And.Contain("Float32"));
    }

    [Test]
    public void Integer_values_given_to_a_float_model_are_rejected()
    {
        using var model = new SequenceModel(Input.Sequence(2), new Lstm(3));
        using var x = zeros(new long[] { 2, 3, 2 }, dtype: ScalarType.Int64);
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x))!.Message, Does.Contain("floating-point").And.Contain("Embedding"));
    }

    [Test]
    public void NaN_and_infinity_are_reported_with_counts_and_position_unless_disabled()
    {
        using var x = zeros(2, 4, 3);
        x[1, 2, 0] = tensor(float.NaN);
        x[1, 3, 2] = tensor(float.PositiveInfinity);
        using var checking = new SequenceModel(Input.Sequence(3), new SimpleRnn(2));
        var error = Assert.Throws<ArgumentException>(() => checking.forward(x))!;
        Assert.That(error.Message, Does.Contain("1 NaN and 1 infinite").And.Contain("[1, 2, 0]").And.Contain("ValidateInputs"));
        using var trusting = new SequenceModel(new SequenceModelOptions { ValidateInputs = false }, Input.Sequence(3), new SimpleRnn(2));
        Assert.DoesNotThrow(() => trusting.forward(x).Dispose());
    }

    [Test]
    public void Large_finite_values_are_not_mistaken_for_infinity()
    {
        using var model = new SequenceModel(Input.Sequence(3), new SimpleRnn(2));
        using var x = full(new long[] { 4, 5, 3 }, 3e38f);        // every value finite; their float32 sum would overflow
        Assert.DoesNotThrow(() => model.forward(x).Dispose());
        x[3, 4, 2] = tensor(float.NegativeInfinity);
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x))!.Message, Does.Contain("0 NaN and 1 infinite").And.Contain("[3, 4, 2]"));
    }

    [Test]
    public void Empty_batches_and_sequences_are_rejected()
    {
        using var model = new SequenceModel(Input.Sequence(3), new Lstm(2));
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(zeros(0, 4, 3)))!.Message, Does.Contain("batch size 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(zeros(2, 0, 3)))!.Message, Does.Contain("0 time steps"));
    }

    [Test]
    public void Malformed_lengths_are_rejected_with_the_offending_value()
    {
        using var model = new SequenceModel(Input.Sequence(3), new Lstm(2));
        using var x = zeros(2, 4, 3);
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x, tensor(new long[] { 4 })))!.Message, Does.Contain("shape [2]").And.Contain("[1]"));
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x, tensor(new long[] { 4, 5 })))!.Message, Does.Contain("lengths[1] = 5").And.Contain("[1, 4]"));
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x, tensor(new long[] { 0, 2 })))!.Message, Does.Contain("lengths[0] = 0"));
        Assert.That(Assert.Throws<ArgumentException>(() => model.forward(x, tensor(new float[] { 1, 2 })))!.Message, Does.Contain("integers"));
        using var vectorModel = new SequenceModel(Input.Vector(3), new Dense(2));
        Assert.That(Assert.Throws<ArgumentException>(() => vectorModel.forward(zeros(2, 3), tensor(new long[] { 1, 1 })))!.Message, Does.Contain("no time axis"));
    }
}
