namespace SequenceKit.Tests.Architecture;

/// <summary>
/// The layering of docs/architecture.md, enforced: each namespace of the SequenceKit assembly uses only the
/// namespaces below it (read by reflection, method bodies included, so a call that crosses a layer is found too).
/// </summary>
public class ArchitectureTests
{
    /// <summary>What each namespace may use, as docs/architecture.md draws it ("" is the root namespace, which every one may use).</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Diagnostics"] = ["Training", "Models", "Layers", "Preprocessing", "Data", "Backends", "Monitoring", "IO"],
        ["Sweeps"] = ["Diagnostics", "Training", "Models", "Layers", "Preprocessing", "Data", "Backends", "Monitoring", "IO"],
        ["Training"] = ["Models", "Layers", "Preprocessing", "Data", "Backends", "Monitoring", "IO"],
        ["Models"] = ["Layers", "Preprocessing", "Data", "Backends", "IO"],
        ["Layers"] = ["Data", "Backends", "IO"],
        ["Preprocessing"] = ["Data", "Backends", "IO"],
        ["Data"] = ["Backends", "IO"],
        ["Backends"] = ["IO"],
        ["Monitoring"] = [],
        ["IO"] = [],
        [""] = ["Backends", "IO"],
    };

    [Test]
    public void Each_namespace_uses_only_the_namespaces_below_it()
    {
        var graph = NamespaceDependencies.Of(typeof(SequenceKitException).Assembly);
        Assert.That(graph.Keys.Except(Allowed.Keys), Is.Empty, "a namespace that docs/architecture.md and this test do not place");
        var violations = graph.SelectMany(p => p.Value.Where(e => e.Key != "" && !Allowed[p.Key].Contains(e.Key))
            .Select(e => $"{(p.Key == "" ? "(root)" : p.Key)} uses {e.Key}: {e.Value}")).ToList();
        Assert.That(violations, Is.Empty, string.Join("\n", violations));
    }

    [Test]
    public void The_dependency_reader_sees_calls_inside_method_bodies()
    {
        // Trainer.Fit calls FitSession and InputContract only in its body (no field or signature names them): the
        // reader must find Training → Models, or the test above could pass on a graph it cannot see.
        var graph = NamespaceDependencies.Of(typeof(SequenceKitException).Assembly);
        Assert.That(graph["Training"].Keys, Does.Contain("Models"));
        Assert.That(graph["Diagnostics"].Keys, Does.Contain("Training"));
        Assert.That(graph.TryGetValue("Monitoring", out var monitoring) ? monitoring.Keys.Where(k => k != "") : [], Is.Empty);
    }
}
