package dev.fusion.schemas.codec;

import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumReader;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Avro single-object encoding ({@code C3 01}, 8-byte little-endian CRC-64-AVRO fingerprint of the
 * writer schema, binary body) for one record type, used by every producer and consumer here.
 *
 * <p>Decoding resolves any known writer version to this codec's reader schema; everything that
 * is not a valid message of a known version ends in a {@link CodecException}, never in an
 * unchecked exception and never in an allocation larger than the input. Instances are
 * thread-safe.
 *
 * @param <T> the record type produced by {@link #decode} and accepted by {@link #encode}
 */
public final class SingleObjectCodec<T> {

    static final byte MARKER_0 = (byte) 0xC3;
    static final byte MARKER_1 = (byte) 0x01;
    static final int HEADER_LENGTH = 10;

    private final Schema readerSchema;
    private final long writeFingerprint;
    private final byte[] writeHeader;
    private final DatumWriter<T> writer;
    private final Map<Long, DatumReader<T>> readersByFingerprint;
    private final Map<Long, String> versionNames;
    private final DecodeLimits limits;
    private final ThreadLocal<EncodeBuffer> encodeBuffers = ThreadLocal.withInitial(EncodeBuffer::new);

    private SingleObjectCodec(Schema readerSchema, DatumWriter<T> writer,
            Map<Long, DatumReader<T>> readers, Map<Long, String> versionNames, DecodeLimits limits) {
        this.readerSchema = readerSchema;
        this.writeFingerprint = fingerprint(readerSchema);
        this.writeHeader = header(writeFingerprint);
        this.writer = writer;
        this.readersByFingerprint = Map.copyOf(readers);
        this.versionNames = Collections.unmodifiableMap(new LinkedHashMap<>(versionNames));
        this.limits = limits;
    }

    /** A codec for a generated record class that reads every version in {@link SchemaHistory}. */
    public static <T extends SpecificRecord> SingleObjectCodec<T> forSpecific(Class<T> type) {
        return forSpecific(type, DecodeLimits.DEFAULT);
    }

    /** As {@link #forSpecific(Class)}, with explicit limits. */
    public static <T extends SpecificRecord> SingleObjectCodec<T> forSpecific(
            Class<T> type, DecodeLimits limits) {
        return forSpecific(type, limits, true);
    }

    /**
     * As {@link #forSpecific(Class, DecodeLimits)}; {@code direct} reads feature records of the
     * current version with {@link FeatureRecordReader} instead of Avro's resolving reader, and
     * writes with {@link UnboxingDatumWriter}; without it, Avro reads and writes everything.
     */
    static <T extends SpecificRecord> SingleObjectCodec<T> forSpecific(
            Class<T> type, DecodeLimits limits, boolean direct) {
        SpecificData data = SpecificData.getForClass(type);
        Schema reader = data.getSchema(type);
        Map<Long, DatumReader<T>> readers = new LinkedHashMap<>();
        Map<Long, String> names = new LinkedHashMap<>();
        int version = 1;
        for (Schema writerSchema : SchemaHistory.versionsOf(reader.getFullName())) {
            long fp = fingerprint(writerSchema);
            boolean current = fp == fingerprint(reader);
            readers.put(fp, direct && current && FeatureRecordReader.fits(reader)
                    ? new FeatureRecordReader<>(reader, data)
                    : new SpecificDatumReader<>(writerSchema, reader, data));
            names.put(fp, reader.getName() + " v" + version++);
        }
        return new SingleObjectCodec<>(reader, direct ? new UnboxingDatumWriter<>(reader, data)
                : new SpecificDatumWriter<>(reader, data), readers, names, limits);
    }

    /**
     * A codec for generic records of {@code readerSchema} that accepts the given writer versions
     * (the reader schema itself is always accepted).
     */
    public static SingleObjectCodec<GenericRecord> forGeneric(
            Schema readerSchema, Collection<Schema> writerSchemas, DecodeLimits limits) {
        Map<Long, DatumReader<GenericRecord>> readers = new LinkedHashMap<>();
        Map<Long, String> names = new LinkedHashMap<>();
        readers.put(fingerprint(readerSchema),
                new GenericDatumReader<>(readerSchema, readerSchema, GenericData.get()));
        names.put(fingerprint(readerSchema), readerSchema.getName() + " (reader)");
        for (Schema writerSchema : writerSchemas) {
            long fp = fingerprint(writerSchema);
            readers.putIfAbsent(fp,
                    new GenericDatumReader<>(writerSchema, readerSchema, GenericData.get()));
            names.putIfAbsent(fp, writerSchema.getName() + " " + hex(fp));
        }
        return new SingleObjectCodec<>(readerSchema,
                new GenericDatumWriter<>(readerSchema, GenericData.get()), readers, names, limits);
    }

    /** The CRC-64-AVRO fingerprint of the schema's parsing canonical form. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }

    /** The schema records are written with and decoded into. */
    public Schema readerSchema() {
        return readerSchema;
    }

    /** Encodes one record with the current schema. */
    public byte[] encode(T record) {
        EncodeBuffer buffer = encodeBuffers.get();
        buffer.out.reset();
        buffer.out.write(writeHeader, 0, writeHeader.length);
        try {
            // Buffered, and reused per thread: the direct encoder makes one synchronized stream
            // write per value, and a new buffered encoder allocates its 2 KB buffer per record
            // (both cost more than the encoding itself: docs/PERFORMANCE.md).
            buffer.encoder = EncoderFactory.get().binaryEncoder(buffer.out, buffer.encoder);
            writer.write(record, buffer.encoder);
            buffer.encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory Avro encoding failed", e);
        }
        return buffer.out.toByteArray();
    }

    /** A thread's reusable output buffer and encoder. */
    private static final class EncodeBuffer {
        final UnsynchronizedBytes out = new UnsynchronizedBytes();
        BinaryEncoder encoder;
    }

    /** A growable in-memory output stream without {@code ByteArrayOutputStream}'s locking. */
    private static final class UnsynchronizedBytes extends OutputStream {
        private byte[] bytes = new byte[512];
        private int size;

        void reset() {
            size = 0;
        }

        @Override
        public void write(int b) {
            ensure(1);
            bytes[size++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, bytes, size, len);
            size += len;
        }

        byte[] toByteArray() {
            return Arrays.copyOf(bytes, size);
        }

        private void ensure(int more) {
            if (size + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(2 * bytes.length, size + more));
            }
        }
    }

    /**
     * Whether {@code message} starts with the single-object header of a version this codec reads
     * (a stream that accepts several record types picks its codec by this).
     */
    public boolean reads(byte[] message) {
        return message != null && message.length >= HEADER_LENGTH && message[0] == MARKER_0
                && message[1] == MARKER_1 && readersByFingerprint.containsKey(readFingerprint(message));
    }

    /** Decodes one message, resolving its writer version to the reader schema. */
    public T decode(byte[] message) throws CodecException {
        if (message == null) {
            throw new CodecException(CodecException.Failure.BAD_HEADER, "value is null");
        }
        if (message.length > limits.maxMessageBytes()) {
            throw new CodecException(CodecException.Failure.TOO_LARGE, "message of "
                    + message.length + " bytes exceeds the limit " + limits.maxMessageBytes());
        }
        if (message.length < HEADER_LENGTH) {
            throw new CodecException(CodecException.Failure.BAD_HEADER, "message of "
                    + message.length + " bytes is shorter than the 10-byte single-object header");
        }
        if (message[0] != MARKER_0 || message[1] != MARKER_1) {
            throw new CodecException(CodecException.Failure.BAD_HEADER, String.format(
                    "message starts with %02X %02X, not the single-object marker C3 01",
                    message[0] & 0xff, message[1] & 0xff));
        }
        long fp = readFingerprint(message);
        DatumReader<T> reader = readersByFingerprint.get(fp);
        if (reader == null) {
            throw new CodecException(CodecException.Failure.UNKNOWN_SCHEMA, "schema fingerprint "
                    + hex(fp) + " is not a known version of " + readerSchema.getFullName()
                    + "; known: " + versionNames.values());
        }
        BoundedBinaryDecoder decoder = new BoundedBinaryDecoder(
                message, HEADER_LENGTH, message.length - HEADER_LENGTH, limits);
        T record;
        try {
            record = reader.read(null, decoder);
        } catch (EOFException e) {
            throw failure(CodecException.Failure.TRUNCATED, fp, "body ends early: " + e.getMessage(), e);
        } catch (BoundedBinaryDecoder.LimitExceededException e) {
            throw failure(CodecException.Failure.TOO_LARGE, fp, e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Avro signals bad indexes, unions and enums with assorted runtime exceptions.
            throw failure(CodecException.Failure.MALFORMED, fp,
                    e.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
        if (decoder.remaining() != 0) {
            throw failure(CodecException.Failure.MALFORMED, fp,
                    decoder.remaining() + " trailing bytes after the record", null);
        }
        return record;
    }

    private CodecException failure(CodecException.Failure kind, long fp, String detail, Throwable cause) {
        return new CodecException(kind, "cannot decode " + versionNames.get(fp) + ": " + detail, cause);
    }

    private static long readFingerprint(byte[] message) {
        long fp = 0;
        for (int i = HEADER_LENGTH - 1; i >= 2; i--) {
            fp = (fp << 8) | (message[i] & 0xff);
        }
        return fp;
    }

    private static byte[] header(long fp) {
        byte[] header = new byte[HEADER_LENGTH];
        header[0] = MARKER_0;
        header[1] = MARKER_1;
        for (int i = 0; i < 8; i++) {
            header[2 + i] = (byte) (fp >>> (8 * i));
        }
        return header;
    }

    private static String hex(long fp) {
        return HexFormat.of().toHexDigits(fp);
    }
}
