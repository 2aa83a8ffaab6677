using SequenceKit;
using SequenceKit.Backends;
using SequenceKit.TestHost;

// Modes: "native" (default) loads the native backend: exit 0 when it loads, 3 when SequenceKit explains a failure
// (on stderr). "determinism" trains a small model and prints its history and weights exactly (exit 0).
// "first-model" builds the README's first model (FirstModel: exit 0, 3 explained, 4 unexplained).
// "train-until-killed FOLDER" trains with a checkpoint every epoch and prints "epoch N" until it is killed.
var mode = args.Length > 0 ? args[0] : "native";
if (mode == "train-until-killed")
{
    ResumeRun.UntilKilled(args[1]);
    return 0;
}
if (mode == "first-model") return FirstModel.Run();
if (mode == "determinism")
{
    Console.WriteLine(DeterminismRun.Run());
    return 0;
}
try
{
    NativeRuntime.EnsureAvailable();
    Console.WriteLine("native backend loaded");
    return 0;
}
catch (SequenceKitException e)
{
    Console.Error.WriteLine($"{e.GetType().Name}: {e.Message}");
    return 3;
}
