using SequenceKit.IO;
using SequenceKit.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SequenceKit.Training;

/// <summary>
/// Checks an optimizer's state, as written by TorchSharp's <c>save_state_dict</c>, in managed code before libtorch reads
/// it: the optimizer's type name, the number of parameter groups and states, every hyperparameter (finite and in its
/// range), every step counter, and every tensor's dtype code, rank, shape, byte count and values (finite; second
/// moments ≥ 0) against the parameters it belongs to. The layouts are those of TorchSharp 0.107's <c>Adam</c>,
/// <c>AdamW</c>, <c>SGD</c>, <c>RMSProp</c> and <c>Adagrad</c> (the optimizers SequenceKit's factories create). Another
/// optimizer type's state is checked only by the checkpoint's SHA-256, which catches corruption but not a file crafted
/// with a matching hash.
/// </summary>
internal static class OptimizerStateData
{
    private enum Field { Double, Bool }

    private enum Slot { Step, Tensor, OptionalTensor, NonNegativeTensor }

    private sealed record Layout((string Name, Field Kind, Func<double, bool>? Valid, string Range)[] Options, (string Name, Slot Kind)[] State);

    private static readonly Func<double, bool> NonNegative = v => v >= 0 && double.IsFinite(v);
    private static readonly Func<double, bool> UnitInterval = v => v >= 0 && v < 1;

    private static readonly Layout AdamLayout = new(
        [("beta1", Field.Double, UnitInterval, "[0, 1)"), ("beta2", Field.Double, UnitInterval, "[0, 1)"), ("eps", Field.Double, NonNegative, "≥ 0"),
         ("weight_decay", Field.Double, NonNegative, "≥ 0"), ("amsgrad", Field.Bool, null, ""), ("maximize", Field.Bool, null, "")],
        [("step", Slot.Step), ("exp_avg", Slot.Tensor), ("exp_avg_sq", Slot.NonNegativeTensor), ("max_exp_avg_sq", Slot.OptionalTensor)]);

    /// <summary>The state layouts by optimizer type name (TorchSharp 0.107 source, <c>src/TorchSharp/Optimizers</c>).</summary>
    private static readonly Dictionary<string, Layout> Layouts = new(StringComparer.Ordinal)
    {
        [nameof(TorchSharp.Modules.Adam)] = AdamLayout,
        [nameof(TorchSharp.Modules.AdamW)] = AdamLayout,
        [nameof(SGD)] = new(
            [("momentum", Field.Double, NonNegative, "≥ 0"), ("dampening", Field.Double, v => double.IsFinite(v), "finite"),
             ("weight_decay", Field.Double, NonNegative, "≥ 0"), ("nesterov", Field.Bool, null, ""), ("maximize", Field.Bool, null, "")],
            [("momentum_buffer", Slot.OptionalTensor)]),
        [nameof(RMSProp)] = new(
            [("maximize", Field.Bool, null, ""), ("momentum", Field.Double, NonNegative, "≥ 0"), ("alpha", Field.Double, v => v >= 0 && v <= 1, "[0, 1]"),
             ("eps", Field.Double, NonNegative, "≥ 0"), ("weight_decay", Field.Double, NonNegative, "≥ 0"), ("centered", Field.Bool, null, "")],
            [("step", Slot.Step), ("square_avg", Slot.NonNegativeTensor), ("momentum_buffer", Slot.OptionalTensor), ("grad_avg", Slot.OptionalTensor)]),
        [nameof(TorchSharp.Modules.Adagrad)] = new(
            [("lr_decay", Field.Double, NonNegative, "≥ 0"), ("initial_accumulator_value", Field.Double, NonNegative, "≥ 0"),
             ("eps", Field.Double, NonNegative, "≥ 0"), ("weight_decay", Field.Double, NonNegative, "≥ 0")],
            [("step", Slot.Step), ("sum", Slot.NonNegativeTensor)]),
    };

    /// <summary>Whether the state of this optimizer type is checked field by field.</summary>
    public static bool IsKnown(OptimizerHelper optimizer) => Layouts.ContainsKey(optimizer.GetType().Name);

    /// <summary>Checks the bytes against the optimizer's type and parameters; throws <see cref="InvalidDataException"/> naming the offset and field.</summary>
    /// <param name="bytes">The state's bytes.</param>
    /// <param name="optimizer">The optimizer the state is for (only read).</param>
    /// <param name="part">The part's name for messages, e.g. "optimizer.dat".</param>
    public static void Check(byte[] bytes, OptimizerHelper optimizer, string part)
    {
        var reader = new TorchBinaryReader(bytes, part);
        var typeName = optimizer.GetType().Name;
        var stored = reader.ReadString("the optimizer's type name", 256);
        if (stored != typeName) throw reader.Problem($"it holds the state of a '{stored}' optimizer; the optimizer is a '{typeName}'", 0);
        if (!Layouts.TryGetValue(typeName, out var layout)) return;      // not checked field by field (see the summary)

        var groups = optimizer.ParamGroups.ToArray();
        var parameters = optimizer.parameters().ToArray();          // state order: the groups' parameters in order
        var groupCount = reader.ReadCount("the number of parameter groups", 1 << 20);
        if (groupCount != groups.Length) throw reader.Problem($"it has {groupCount} parameter groups; the optimizer has {groups.Length}");
        var stateCount = reader.ReadCount("the number of parameter states", 1 << 20);
        if (stateCount != parameters.Length) throw reader.Problem($"it has {stateCount} parameter states; the optimizer has {parameters.Length} parameters");

        for (var g = 0; g < groups.Length; g++)
        {
            CheckDouble(reader, $"group {g}'s initial learning rate", v => v > 0 && double.IsFinite(v), "> 0 and finite");
            CheckDouble(reader, $"group {g}'s learning rate", v => v > 0 && double.IsFinite(v), "> 0 and finite");
            foreach (var (name, kind, valid, range) in layout.Options)
            {
                if (kind == Field.Bool) reader.ReadBoolean($"group {g}'s {name}");
                else CheckDouble(reader, $"group {g}'s {name}", valid!, range);
            }
        }
        for (var p = 0; p < parameters.Length; p++)
        {
            var parameter = parameters[p];
            foreach (var (name, kind) in layout.State)
            {
                var what = $"parameter {p}'s {name}";
                switch (kind)
                {
                    case Slot.Step:
                        var at = reader.Position;
                        var step = reader.ReadInt64(what);
                        if (step < 0) throw reader.Problem($"{what} is {step}; expected ≥ 0", at);
                        break;
                    case Slot.OptionalTensor when !reader.ReadBoolean($"whether {what} is present"):
                        break;
                    default:
                        var (offset, length) = reader.ReadTensor(what, parameter.dtype, parameter.shape, (int)parameter.ElementSize);
                        if (StateDictData.NonFinite(bytes.AsSpan(offset, length), parameter.dtype) is { } index)
                            throw reader.Problem($"{what} holds a NaN or infinite value at element {index}", offset);
                        if (kind == Slot.NonNegativeTensor && Negative(bytes.AsSpan(offset, length), parameter.dtype) is { } negative)
                            throw reader.Problem($"{what} holds a negative value at element {negative}; it is an average of squares", offset);
                        break;
                }
            }
        }
        reader.ExpectEnd();
    }

    private static void CheckDouble(TorchBinaryReader reader, string what, Func<double, bool> valid, string range)
    {
        var at = reader.Position;
        var value = reader.ReadDouble(what);
        if (!valid(value)) throw reader.Problem($"{what} is {value}; expected {range}", at);
    }

    private static long? Negative(ReadOnlySpan<byte> data, ScalarType type)
    {
        switch (type)
        {
            case ScalarType.Float32:
                var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(data);
                for (var i = 0; i < floats.Length; i++) if (floats[i] < 0) return i;
                return null;
            case ScalarType.Float64:
                var doubles = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(data);
                for (var i = 0; i < doubles.Length; i++) if (doubles[i] < 0) return i;
                return null;
            default:
                return null;
        }
    }
}
