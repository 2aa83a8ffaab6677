// Benchmarks: dotnet run -c Release --project benchmarks/SequenceKit.Benchmarks -- --filter '*'
// Quick smoke run (compiles and executes each case once): add --job dry
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
