namespace SequenceKit.Tests.IO;

/// <summary>
/// Passes writes through until a byte budget is spent, then fails like a full disk; or fails on flush. Used to inject
/// failures into atomic writes.
/// </summary>
internal sealed class FaultyStream(Stream inner, long budget, bool failOnFlush = false) : Stream
{
    private long written;
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => written; set => throw new NotSupportedException(); }

    public override void Flush()
    {
        if (failOnFlush) throw new IOException("Input/output error (simulated on flush).");
        inner.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (written + count > budget) throw new IOException("No space left on device (simulated).");
        inner.Write(buffer, offset, count);
        written += count;
    }
}
