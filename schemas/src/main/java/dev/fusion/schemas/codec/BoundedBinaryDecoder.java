package dev.fusion.schemas.codec;

import java.io.EOFException;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * An Avro binary decoder over one byte array that checks every declared length and item count
 * against the bytes that remain and against {@link DecodeLimits} before it allocates anything.
 *
 * <p>Avro's own decoder allocates a string's or an array's declared size before reading it, so a
 * few garbage bytes can ask for gigabytes. Here a declared size can never exceed the input, which
 * turns absurd lengths into typed errors instead of out-of-memory errors.
 */
final class BoundedBinaryDecoder extends Decoder {

    private static final VarHandle FLOATS_LE =
            MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf;
    private final int limit;
    private final DecodeLimits limits;
    private int pos;
    private long collectionItems;

    BoundedBinaryDecoder(byte[] buf, int offset, int length, DecodeLimits limits) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
        this.limits = limits;
    }

    /** Bytes not yet consumed. */
    int remaining() {
        return limit - pos;
    }

    @Override
    public void readNull() {
    }

    @Override
    public boolean readBoolean() throws IOException {
        int b = readByte();
        if (b > 1) {
            throw new MalformedInputException("boolean byte " + b + " is neither 0 nor 1");
        }
        return b == 1;
    }

    @Override
    public int readInt() throws IOException {
        long value = readVarLong(5);
        int n = (int) value;
        return (n >>> 1) ^ -(n & 1);
    }

    @Override
    public long readLong() throws IOException {
        long n = readVarLong(10);
        return (n >>> 1) ^ -(n & 1);
    }

    @Override
    public float readFloat() throws IOException {
        require(4);
        int bits = (buf[pos] & 0xff) | (buf[pos + 1] & 0xff) << 8 | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    /** Reads {@code n} floats into {@code dst} from {@code offset}: a bulk {@link #readFloat}. */
    void readFloats(float[] dst, int offset, int n) throws IOException {
        require(4 * n);
        for (int i = 0; i < n; i++) {
            dst[offset + i] = (float) FLOATS_LE.get(buf, pos);
            pos += 4;
        }
    }

    @Override
    public double readDouble() throws IOException {
        require(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) {
            bits = (bits << 8) | (buf[pos + i] & 0xff);
        }
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = readLength("string", limits.maxStringBytes());
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = readLength("string", limits.maxStringBytes());
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    @Override
    public void skipString() throws IOException {
        int length = readLength("string", limits.maxStringBytes());
        pos += length;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = readLength("bytes", limits.maxStringBytes());
        ByteBuffer result = old != null && old.capacity() >= length ? old : ByteBuffer.allocate(length);
        result.clear();
        result.put(buf, pos, length).flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int length = readLength("bytes", limits.maxStringBytes());
        pos += length;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        require(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        require(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return readBlockCount("array");
    }

    @Override
    public long arrayNext() throws IOException {
        return readBlockCount("array");
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks("array");
    }

    @Override
    public long readMapStart() throws IOException {
        return readBlockCount("map");
    }

    @Override
    public long mapNext() throws IOException {
        return readBlockCount("map");
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks("map");
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    private int readByte() throws IOException {
        require(1);
        return buf[pos++] & 0xff;
    }

    private void require(int n) throws EOFException {
        if (n > limit - pos) {
            throw new EOFException("needs " + n + " more bytes, " + (limit - pos) + " remain");
        }
    }

    private long readVarLong(int maxBytes) throws IOException {
        long value = 0;
        for (int i = 0; i < maxBytes; i++) {
            int b = readByte();
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                return value;
            }
        }
        throw new MalformedInputException("variable-length integer longer than " + maxBytes + " bytes");
    }

    private int readLength(String what, int max) throws IOException {
        long length = readLong();
        if (length < 0) {
            throw new MalformedInputException(what + " length " + length + " is negative");
        }
        if (length > max) {
            throw new LimitExceededException(what + " length " + length + " exceeds the limit " + max);
        }
        require((int) length);
        return (int) length;
    }

    /**
     * Reads one block header. A negative count is followed by the block's size in bytes; each item
     * of the project's schemas takes at least one byte, so a count above the remaining bytes is a
     * lie that would otherwise pre-allocate a huge array.
     */
    private long readBlockCount(String what) throws IOException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) {
                throw new MalformedInputException(what + " block count overflows");
            }
            count = -count;
            long size = readLong();
            if (size < 0) {
                throw new MalformedInputException(what + " block size " + size + " is negative");
            }
        }
        collectionItems += count;
        if (collectionItems > limits.maxCollectionItems()) {
            throw new LimitExceededException(what + " of " + collectionItems
                    + " items exceeds the limit " + limits.maxCollectionItems());
        }
        if (count > remaining()) {
            throw new EOFException(what + " block declares " + count + " items but only "
                    + remaining() + " bytes remain");
        }
        return count;
    }

    private long skipBlocks(String what) throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                if (count > remaining()) {
                    throw new EOFException(what + " block declares " + count
                            + " items but only " + remaining() + " bytes remain");
                }
                return count;
            }
            if (count == Long.MIN_VALUE) {
                throw new MalformedInputException(what + " block count overflows");
            }
            long size = readLong();
            if (size < 0 || size > remaining()) {
                throw new EOFException(what + " block of " + size + " bytes but only "
                        + remaining() + " remain");
            }
            pos += (int) size;
        }
    }

    /** Input that is not Avro binary at all. */
    static final class MalformedInputException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedInputException(String message) {
            super(message);
        }
    }

    /** A declared size beyond {@link DecodeLimits}. */
    static final class LimitExceededException extends IOException {
        private static final long serialVersionUID = 1L;

        LimitExceededException(String message) {
            super(message);
        }
    }
}
