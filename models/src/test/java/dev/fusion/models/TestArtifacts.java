package dev.fusion.models;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusion.models.manifest.ModelManifest;
import dev.fusion.models.runtime.Device;
import dev.fusion.models.runtime.RuntimeOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The committed artifacts under {@code models/artifacts}, and options with fixed small pools. */
public final class TestArtifacts {

    /** CPU, one intra-op and one inter-op thread: tests never depend on the machine's cores. */
    public static final RuntimeOptions CPU = new RuntimeOptions(Device.CPU, 1, 1);

    public static final ObjectMapper JSON = new ObjectMapper();

    private static ModelManifest manifest;

    private TestArtifacts() {
    }

    /** {@code models/artifacts}; surefire runs in the module directory and sets basedir. */
    public static Path dir() {
        return Path.of(System.getProperty("basedir", ".")).resolve("artifacts")
                .toAbsolutePath().normalize();
    }

    public static synchronized ModelManifest manifest() {
        if (manifest == null) {
            manifest = ModelManifest.load(dir());
        }
        return manifest;
    }

    /** {@code artifacts/goldens/<name>.json}. */
    public static JsonNode golden(String name) {
        try {
            return JSON.readTree(dir().resolve("goldens").resolve(name + ".json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A nested JSON array of numbers as rows of floats. */
    public static float[][] floatRows(JsonNode rows) {
        float[][] out = new float[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = floats(rows.get(r));
        }
        return out;
    }

    /** A JSON array of numbers as floats (each value is a float32 printed to round-trip). */
    public static float[] floats(JsonNode values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values.get(i).doubleValue();
        }
        return out;
    }

    public static long[] longs(JsonNode values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).longValue();
        }
        return out;
    }

    public static long[][] longRows(JsonNode rows) {
        long[][] out = new long[rows.size()][];
        for (int r = 0; r < out.length; r++) {
            out[r] = longs(rows.get(r));
        }
        return out;
    }

    /** Largest absolute difference between two equally long arrays. */
    public static double maxAbsDiff(float[] actual, float[] expected) {
        if (actual.length != expected.length) {
            throw new AssertionError("length " + actual.length + " != " + expected.length);
        }
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs((double) actual[i] - expected[i]));
        }
        return max;
    }
}
