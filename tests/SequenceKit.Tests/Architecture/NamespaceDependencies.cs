using System.Reflection;
using System.Reflection.Emit;

namespace SequenceKit.Tests.Architecture;

/// <summary>
/// Which of the SequenceKit assembly's namespaces each namespace uses, read by reflection: base types, interfaces,
/// fields, properties, method signatures, attributes, and every type, method and field a method body refers to (its IL
/// operands resolved through the module). Nested namespaces count as their top namespace under <c>SequenceKit</c>
/// (<c>SequenceKit.Training.Losses</c> is <c>Training</c>); the root namespace is <c>""</c>.
/// </summary>
internal static class NamespaceDependencies
{
    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The top namespace of a SequenceKit type ("Training", "Models", "" for the root), or null for any other type.</summary>
    public static string? TopOf(Type? type)
    {
        while (type is { IsNested: true }) type = type.DeclaringType;
        if (type?.Namespace is not { } ns || !(ns == "SequenceKit" || ns.StartsWith("SequenceKit.", StringComparison.Ordinal))) return null;
        if (type.Assembly != typeof(SequenceKitException).Assembly) return null;
        return ns == "SequenceKit" ? "" : ns["SequenceKit.".Length..].Split('.')[0];
    }

    /// <summary>For each namespace, the other namespaces its types use, with one example (user → used) for each edge.</summary>
    public static Dictionary<string, Dictionary<string, string>> Of(Assembly assembly)
    {
        var graph = new Dictionary<string, Dictionary<string, string>>();
        foreach (var type in assembly.GetTypes())
        {
            if (TopOf(type) is not { } from) continue;
            foreach (var used in Referenced(type))
                if (TopOf(used.Type) is { } to && to != from)
                {
                    var edges = graph.TryGetValue(from, out var e) ? e : graph[from] = [];
                    edges.TryAdd(to, $"{type.FullName} → {used.Type!.FullName} ({used.Via})");
                }
        }
        return graph;
    }

    private static IEnumerable<(Type? Type, string Via)> Referenced(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        if (type.BaseType is { } b) foreach (var t in Expand(b)) yield return (t, "base type");
        foreach (var i in type.GetInterfaces()) foreach (var t in Expand(i)) yield return (t, "interface");
        foreach (var a in type.CustomAttributes) yield return (a.AttributeType, "attribute");
        foreach (var f in type.GetFields(all)) foreach (var t in Expand(f.FieldType)) yield return (t, "field " + f.Name);
        foreach (var p in type.GetProperties(all)) foreach (var t in Expand(p.PropertyType)) yield return (t, "property " + p.Name);
        foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (m is MethodInfo mi) foreach (var t in Expand(mi.ReturnType)) yield return (t, m.Name + " return");
            foreach (var p in m.GetParameters()) foreach (var t in Expand(p.ParameterType)) yield return (t, m.Name + " parameter");
            foreach (var t in BodyReferences(type, m)) yield return (t, m.Name + " body");
        }
    }

    /// <summary>A type with its element type and generic arguments.</summary>
    private static IEnumerable<Type> Expand(Type type)
    {
        yield return type;
        if (type.HasElementType && type.GetElementType() is { } element) foreach (var t in Expand(element)) yield return t;
        if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) foreach (var t in Expand(argument)) yield return t;
    }

    private static IEnumerable<Type> BodyReferences(Type owner, MethodBase method)
    {
        byte[]? il;
        try { il = method.GetMethodBody()?.GetILAsByteArray(); }
        catch (Exception e) when (e is InvalidOperationException or NotSupportedException) { il = null; }
        if (il is null) yield break;
        var module = method.Module;
        Type[]? typeArguments = owner.IsGenericType ? owner.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i < il.Length;)
        {
            OpCode op;
            if (il[i] == 0xFE) { op = OpCodesByValue[unchecked((short)(0xFE00 | il[i + 1]))]; i += 2; }
            else { op = OpCodesByValue[il[i]]; i += 1; }
            var operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineType or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = module.ResolveMember(BitConverter.ToInt32(il, i), typeArguments, methodArguments); }
                catch (Exception e) when (e is ArgumentException or BadImageFormatException) { }
                switch (member)
                {
                    case Type t: foreach (var x in Expand(t)) yield return x; break;
                    case { DeclaringType: { } declaring }: foreach (var x in Expand(declaring)) yield return x; break;
                }
                if (member is MethodInfo called) foreach (var x in Expand(called.ReturnType)) yield return x;
                if (member is FieldInfo field) foreach (var x in Expand(field.FieldType)) yield return x;
            }
            i += operand;
        }
    }
}
