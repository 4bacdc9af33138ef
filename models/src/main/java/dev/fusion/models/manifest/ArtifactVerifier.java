package dev.fusion.models.manifest;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Reads a model or tokenizer file and checks that it exists and has the manifest's SHA-256. */
final class ArtifactVerifier {

    private ArtifactVerifier() {
    }

    /** The verified bytes of the model's ONNX file. */
    static byte[] readVerified(ModelSpec spec) {
        return readVerified(spec.label(), spec.file(), spec.sha256(), spec.source());
    }

    /** The verified bytes of a file the manifest names, for the model {@code label} names. */
    static byte[] readVerified(String label, String file, String sha256, ModelSource source) {
        if (!source.exists()) {
            throw new ModelValidationException(label + ": file " + file
                    + " not found (" + source.describe() + ")");
        }
        byte[] bytes;
        try (InputStream in = source.open()) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new ModelValidationException(label + ": cannot read " + file
                    + " (" + source.describe() + "): " + e.getMessage(), e);
        }
        String actual = sha256(bytes);
        if (!actual.equals(sha256)) {
            throw new ModelValidationException(label + ": sha256 of " + file
                    + " is " + actual + " but the manifest says " + sha256);
        }
        return bytes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
