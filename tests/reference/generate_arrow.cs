// Writes the Arrow IPC fixtures of tests/SequenceKit.Tests/Data/ArrowSeriesTests.cs with Apache.Arrow (pyarrow is not
// installed here). The values are written literally below, and the tests check them against the same literals by hand.
// Run from the repository root: dotnet run tests/reference/generate_arrow.cs
#:package Apache.Arrow@23.0.0
#:property ManagePackageVersionsCentrally=false
#:property TreatWarningsAsErrors=false
using Apache.Arrow;
using Apache.Arrow.Ipc;

var folder = Path.Combine("tests", "SequenceKit.Tests", "Reference", "data", "arrow");
Directory.CreateDirectory(folder);

// Two record batches (rows 0–2, then 3–4), so row numbers in errors run across batches.
RecordBatch Batch(double?[] temp, float[] pressure, long[] count, string[] label) => new RecordBatch.Builder()
    .Append("label", false, c => c.String(a => a.AppendRange(label)))
    .Append("temp", true, c => c.Double(a => { foreach (var t in temp) { if (t is { } v) a.Append(v); else a.AppendNull(); } }))
    .Append("pressure", false, c => c.Float(a => a.AppendRange(pressure)))
    .Append("count", false, c => c.Int64(a => a.AppendRange(count)))
    .Build();

var first = Batch([20.5, 20.75, null], [1013.25f, 1013f, 1012.5f], [1, 2, 3], ["a", "b", "c"]);
var second = Batch([21.25, -0.25], [1011.75f, 1011.5f], [4, 5], ["d", "e"]);
var infinite = Batch([21.25, 1e39], [1011.75f, 1011.5f], [4, 5], ["d", "e"]);   // temp fits float64, not float32

void Write(string name, bool fileFormat, params RecordBatch[] batches)
{
    using var stream = File.Create(Path.Combine(folder, name));
    using ArrowStreamWriter writer = fileFormat ? new ArrowFileWriter(stream, batches[0].Schema) : new ArrowStreamWriter(stream, batches[0].Schema);
    foreach (var batch in batches) writer.WriteRecordBatch(batch);
    writer.WriteEnd();
}

Write("sensors.arrow", fileFormat: true, first, second);
Write("sensors.arrows", fileFormat: false, first, second);
Write("infinite.arrow", fileFormat: true, first, infinite);
Console.WriteLine($"wrote {folder}");
