package dev.fusion.models.manifest;

/**
 * Reads the default-domain ({@code ai.onnx}) opset an ONNX file imports, straight from the
 * protobuf bytes: ONNX Runtime's API does not expose it. Only the top-level {@code ModelProto}
 * fields are walked; the graph is skipped by its length.
 */
final class OnnxOpset {

    /** {@code ModelProto.opset_import}. */
    private static final int OPSET_IMPORT = 8;
    /** {@code OperatorSetIdProto.domain} and {@code .version}. */
    private static final int DOMAIN = 1;
    private static final int VERSION = 2;

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private OnnxOpset() {
    }

    /**
     * The version of the default domain's opset import.
     *
     * @throws IllegalArgumentException if the bytes are no ONNX model or import no default opset
     */
    static long defaultDomain(byte[] onnx) {
        Reader model = new Reader(onnx, 0, onnx.length);
        while (model.more()) {
            long key = model.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == OPSET_IMPORT && wire == LENGTH_DELIMITED) {
                int length = model.length();
                Long version = opsetOf(new Reader(onnx, model.position, model.position + length));
                model.position += length;
                if (version != null) {
                    return version;
                }
            } else {
                model.skip(wire);
            }
        }
        throw new IllegalArgumentException("the file imports no ai.onnx opset");
    }

    /** The version of one OperatorSetIdProto if its domain is the default one, else null. */
    private static Long opsetOf(Reader r) {
        String domain = "";
        long version = -1;
        while (r.more()) {
            long key = r.varint();
            int field = (int) (key >>> 3);
            int wire = (int) (key & 7);
            if (field == DOMAIN && wire == LENGTH_DELIMITED) {
                int length = r.length();
                domain = new String(r.bytes, r.position, length, java.nio.charset.StandardCharsets.UTF_8);
                r.position += length;
            } else if (field == VERSION && wire == VARINT) {
                version = r.varint();
            } else {
                r.skip(wire);
            }
        }
        boolean defaultDomain = domain.isEmpty() || domain.equals("ai.onnx");
        return defaultDomain && version >= 0 ? version : null;
    }

    /** A bounded cursor over protobuf bytes. */
    private static final class Reader {
        final byte[] bytes;
        int position;
        final int end;

        Reader(byte[] bytes, int start, int end) {
            if (start < 0 || end > bytes.length || start > end) {
                throw new IllegalArgumentException("not an ONNX model: a length runs past the end");
            }
            this.bytes = bytes;
            this.position = start;
            this.end = end;
        }

        boolean more() {
            return position < end;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (position >= end) {
                    throw new IllegalArgumentException("not an ONNX model: truncated varint");
                }
                byte b = bytes[position++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
            throw new IllegalArgumentException("not an ONNX model: varint too long");
        }

        int length() {
            long length = varint();
            if (length < 0 || length > end - position) {
                throw new IllegalArgumentException("not an ONNX model: a length runs past the end");
            }
            return (int) length;
        }

        void skip(int wire) {
            switch (wire) {
                case VARINT -> varint();
                case FIXED64 -> advance(8);
                case LENGTH_DELIMITED -> advance(length());
                case FIXED32 -> advance(4);
                default -> throw new IllegalArgumentException(
                        "not an ONNX model: wire type " + wire + " at byte " + position);
            }
        }

        private void advance(int n) {
            if (n > end - position) {
                throw new IllegalArgumentException("not an ONNX model: a field runs past the end");
            }
            position += n;
        }
    }
}
