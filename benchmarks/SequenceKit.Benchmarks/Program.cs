// Benchmarks: dotnet run -c Release --project benchmarks/SequenceKit.Benchmarks -- --filter '*'
// Quick smoke run (compiles and executes each case once): add --job dry
// Memory of data that outgrows memory (lazy windows, .npy files): data-scale … (see DataScale.cs)
using BenchmarkDotNet.Running;

if (args.FirstOrDefault() == "read-probe") return SequenceKit.Benchmarks.ReadProbe.Run(args);
if (args.FirstOrDefault() == "memory-hygiene") return SequenceKit.Benchmarks.MemoryHygiene.Run(args);
if (args.FirstOrDefault() == "data-scale") return SequenceKit.Benchmarks.DataScale.Run(args);
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
