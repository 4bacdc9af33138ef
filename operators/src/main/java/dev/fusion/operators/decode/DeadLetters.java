package dev.fusion.operators.decode;

import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.Sha256;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;

/**
 * The one place where {@link DeadLetter}s are built, so that every one of them is bounded and
 * always fits what the dead-letter sink and the broker accept, whatever the input was.
 *
 * <p>The key and the value are kept unchanged up to their caps ({@value #MAX_VALUE_BYTES_KEY},
 * {@value #MAX_KEY_BYTES_KEY}); a longer one keeps its first bytes and is flagged truncated. Either
 * way the record carries the original size and the SHA-256 of the whole original bytes, so a
 * truncated record can still be matched to its source. The message is cut at
 * {@value #MAX_MESSAGE_CHARS} chars, the topic at {@value #MAX_TOPIC_CHARS}, and an event id longer
 * than {@value #MAX_EVENT_ID_CHARS} chars is not kept (the message says so): with these bounds
 * {@link #maxEncodedBytes()} is an upper bound of the encoded size of any dead letter built here.
 */
public final class DeadLetters implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The option that caps the value bytes a dead letter keeps. */
    public static final String MAX_VALUE_BYTES_KEY = "dlq.max-value-bytes";
    /** The option that caps the key bytes a dead letter keeps. */
    public static final String MAX_KEY_BYTES_KEY = "dlq.max-key-bytes";

    /** Default value cap: far above any valid input record, far below a 1 MiB broker limit. */
    public static final int DEFAULT_MAX_VALUE_BYTES = 256 * 1024;
    /** Default key cap: entity ids are short. */
    public static final int DEFAULT_MAX_KEY_BYTES = 1024;
    /** Largest accepted value cap (16 MiB): the sink producer buffers (32 MiB) must hold one. */
    public static final int LARGEST_VALUE_CAP = 16 << 20;
    /** Largest accepted key cap (1 MiB). */
    public static final int LARGEST_KEY_CAP = 1 << 20;

    public static final int MAX_MESSAGE_CHARS = 2000;
    public static final int MAX_EVENT_ID_CHARS = 1000;
    public static final int MAX_TOPIC_CHARS = 255;

    /** Avro's longest varint for an int (lengths, sizes) and for a long (offset, timestamp). */
    private static final int INT_BYTES = 5;
    private static final int LONG_BYTES = 10;
    /** A Java char is at most 3 UTF-8 bytes (a surrogate pair, two chars, is 4). */
    private static final int UTF8_BYTES_PER_CHAR = 3;
    private static final int SHA256_BYTES = 32;

    /**
     * Everything but the key and value bytes: single-object header (10), topic, partition,
     * offset, key and value unions and lengths, reason, message, event id, failed_at, then sizes,
     * digests and flags of value and key.
     */
    private static final int FIXED_BYTES = 10
            + INT_BYTES + UTF8_BYTES_PER_CHAR * MAX_TOPIC_CHARS
            + INT_BYTES + LONG_BYTES
            + 2 * (1 + INT_BYTES)
            + 1
            + INT_BYTES + UTF8_BYTES_PER_CHAR * MAX_MESSAGE_CHARS
            + 1 + INT_BYTES + UTF8_BYTES_PER_CHAR * MAX_EVENT_ID_CHARS
            + LONG_BYTES
            + 2 * ((1 + INT_BYTES) + (1 + SHA256_BYTES) + 1);

    private final int maxValueBytes;
    private final int maxKeyBytes;

    /**
     * @param maxValueBytes {@value #MAX_VALUE_BYTES_KEY}: most value bytes a dead letter keeps
     * @param maxKeyBytes {@value #MAX_KEY_BYTES_KEY}: most key bytes a dead letter keeps
     */
    public DeadLetters(int maxValueBytes, int maxKeyBytes) {
        if (maxValueBytes < 0 || maxValueBytes > LARGEST_VALUE_CAP) {
            throw new IllegalArgumentException(MAX_VALUE_BYTES_KEY + " must be between 0 and "
                    + LARGEST_VALUE_CAP + ", got " + maxValueBytes);
        }
        if (maxKeyBytes < 0 || maxKeyBytes > LARGEST_KEY_CAP) {
            throw new IllegalArgumentException(MAX_KEY_BYTES_KEY + " must be between 0 and "
                    + LARGEST_KEY_CAP + ", got " + maxKeyBytes);
        }
        this.maxValueBytes = maxValueBytes;
        this.maxKeyBytes = maxKeyBytes;
    }

    /** The default caps. */
    public static DeadLetters defaults() {
        return new DeadLetters(DEFAULT_MAX_VALUE_BYTES, DEFAULT_MAX_KEY_BYTES);
    }

    public int maxValueBytes() {
        return maxValueBytes;
    }

    public int maxKeyBytes() {
        return maxKeyBytes;
    }

    /** Upper bound of the encoded (single-object) size of any dead letter built here. */
    public int maxEncodedBytes() {
        return FIXED_BYTES + maxKeyBytes + maxValueBytes;
    }

    /** A dead letter for a raw record, as read from Kafka, that could not be used. */
    public DeadLetter of(RawRecord raw, DeadLetterReason reason, String message, String eventId,
            long nowMillis) {
        return of(raw.topic, raw.partition, raw.offset, raw.key, raw.value, reason, message, eventId,
                nowMillis);
    }

    /** A dead letter for the record at these coordinates, with these key and value bytes. */
    public DeadLetter of(String topic, int partition, long offset, byte[] key, byte[] value,
            DeadLetterReason reason, String message, String eventId, long nowMillis) {
        String detail = message == null ? "" : message;
        String keptEventId = eventId;
        if (eventId != null && eventId.length() > MAX_EVENT_ID_CHARS) {
            keptEventId = null;
            detail = "event_id of " + eventId.length() + " chars is longer than "
                    + MAX_EVENT_ID_CHARS + " and is not kept; " + detail;
        }
        return DeadLetter.newBuilder()
                .setSourceTopic(cut(topic == null ? "" : topic, MAX_TOPIC_CHARS))
                .setPartition(partition)
                .setOffset(offset)
                .setKey(capped(key, maxKeyBytes))
                .setKeySize(key == null ? null : key.length)
                .setKeySha256(key == null ? null : sha256(key))
                .setKeyTruncated(key != null && key.length > maxKeyBytes)
                .setValue(capped(value, maxValueBytes))
                .setValueSize(value == null ? null : value.length)
                .setValueSha256(value == null ? null : sha256(value))
                .setValueTruncated(value != null && value.length > maxValueBytes)
                .setReason(reason)
                .setMessage(boundedMessage(detail))
                .setEventId(keptEventId)
                .setFailedAt(Instant.ofEpochMilli(nowMillis))
                .build();
    }

    /**
     * {@code message} if it has at most {@value #MAX_MESSAGE_CHARS} chars; else its start, ending
     * with a note of its full length, {@value #MAX_MESSAGE_CHARS} chars in all.
     */
    static String boundedMessage(String message) {
        if (message.length() <= MAX_MESSAGE_CHARS) {
            return message;
        }
        String note = "... [message cut, " + message.length() + " chars in all]";
        return cut(message, MAX_MESSAGE_CHARS - note.length()) + note;
    }

    /** The SHA-256 digest of {@code bytes}. */
    static Sha256 sha256(byte[] bytes) {
        try {
            return new Sha256(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform must provide SHA-256 (MessageDigest's javadoc).
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    private static ByteBuffer capped(byte[] bytes, int cap) {
        if (bytes == null) {
            return null;
        }
        // A copy, not a view: a dead letter must not pin a huge input array in memory.
        return ByteBuffer.wrap(bytes.length > cap ? Arrays.copyOf(bytes, cap) : bytes);
    }

    /** The first {@code max} chars of {@code s}, one fewer if that would split a surrogate pair. */
    private static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }
}
