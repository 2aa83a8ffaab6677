using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using SequenceKit.Preprocessing;
using static TorchSharp.torch;
namespace SequenceKit.Benchmarks;
/// <summary>
/// How fast 64 random rows come off a file written by <c>data-scale npy-write PATH rows 100 10</c> (rows of 4,000
/// bytes after a 128-byte header), without training: <c>read-probe PATH mmap|direct|buffered BATCHES</c>. mmap gathers
/// from <see cref="SequenceDataset.FromNpy"/>'s mapping (asking for the next batch ahead with madvise); direct
/// and buffered read each row with <c>pread</c>, 16 at once, with and without O_DIRECT. Run it inside a memory cgroup
/// to see the cost of reclaim (docs/performance.md).
/// </summary>
internal static unsafe class ReadProbe
{
    [DllImport("libc", SetLastError = true)] private static extern int open(string path, int flags);
    public static int Run(string[] args)
    {
        var path = args[1]; var mode = args[2]; var batches = int.Parse(args[3]);
        const long header = 128, rowBytes = 4000; const int batch = 64;
        var rows = (new FileInfo(path).Length - header) / rowBytes;
        var random = new Random(5);
        var clock = new Stopwatch();
        if (mode == "mmap")
        {
            using var data = SequenceDataset.FromNpy(path, Path.ChangeExtension(path, ".labels.npy"));
            for (var b = 0; b < batches; b++)
            {
                var r = Enumerable.Range(0, batch).Select(_ => random.NextInt64(rows)).ToArray();
                var next = Enumerable.Range(0, batch).Select(_ => random.NextInt64(rows)).ToArray();
                clock.Start();
                foreach (var row in next) SequenceKit.Data.MemoryAdvice.WillNeed(data.Inputs, row, 1);
                using var index = tensor(r);
                using var gathered = data.Inputs.index_select(0, index);
                clock.Stop();
            }
        }
        else
        {
            var direct = mode == "direct";
            var fd = open(path, direct ? 0x4000 : 0);        // O_DIRECT on x86-64
            if (fd < 0) throw new IOException($"open failed {Marshal.GetLastPInvokeError()}");
            using var handle = new SafeFileHandle(fd, true);
            var span = 8192;
            var buffer = (byte*)NativeMemory.AlignedAlloc((nuint)(span * batch), 4096);
            var output = new float[batch * 1000];
            for (var b = 0; b < batches; b++)
            {
                var r = Enumerable.Range(0, batch).Select(_ => random.NextInt64(rows)).ToArray();
                clock.Start();
                Parallel.For(0, batch, new ParallelOptions { MaxDegreeOfParallelism = int.Parse(Environment.GetEnvironmentVariable("PAR") ?? "16") }, i =>
                {
                    var offset = header + r[i] * rowBytes;
                    var aligned = offset & ~4095L;
                    var length = (int)(((offset + rowBytes + 4095) & ~4095L) - aligned);
                    RandomAccess.Read(handle, new Span<byte>(buffer + (long)i * span, length), aligned);
                    fixed (float* o = output) Buffer.MemoryCopy(buffer + (long)i * span + (offset - aligned), (byte*)(o + i * 1000), rowBytes, rowBytes);
                });
                using var t = tensor(output, [batch, 100, 10]);
                clock.Stop();
            }
            NativeMemory.AlignedFree(buffer);
        }
        Console.WriteLine($"{mode}: {clock.Elapsed.TotalMilliseconds / batches:F2} ms per batch of {batch} random rows");
        return 0;
    }
}
