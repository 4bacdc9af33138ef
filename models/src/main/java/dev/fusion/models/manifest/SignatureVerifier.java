package dev.fusion.models.manifest;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** Checks an ONNX session's real inputs and outputs against what the manifest declares. */
public final class SignatureVerifier {

    private SignatureVerifier() {
    }

    /** Throws {@link ModelValidationException} naming the model and the first mismatch. */
    public static void verify(ModelSpec spec, OrtSession session) {
        try {
            compare(spec, "inputs", spec.inputs(), session.getInputInfo());
            compare(spec, "outputs", spec.outputs(), session.getOutputInfo());
        } catch (OrtException e) {
            throw new ModelValidationException(spec.label()
                    + ": cannot read the ONNX file's inputs and outputs: " + e.getMessage(), e);
        }
    }

    private static void compare(
            ModelSpec spec, String field, List<TensorSpec> declared, Map<String, NodeInfo> actual) {
        Set<String> declaredNames = new TreeSet<>();
        declared.forEach(tensor -> declaredNames.add(tensor.name()));
        Set<String> actualNames = new TreeSet<>(actual.keySet());
        if (!declaredNames.equals(actualNames) || declaredNames.size() != declared.size()) {
            throw new ModelValidationException(spec.label() + ": the ONNX file has " + field + " "
                    + actualNames + " but the manifest declares " + names(declared));
        }
        String kind = ManifestParser.singular(field);
        for (TensorSpec want : declared) {
            String prefix = spec.label() + ": " + kind + " '" + want.name() + "'";
            if (!(actual.get(want.name()).getInfo() instanceof TensorInfo)) {
                throw new ModelValidationException(prefix + " is not a tensor in the ONNX file ("
                        + actual.get(want.name()).getInfo() + ")");
            }
            TensorInfo have = (TensorInfo) actual.get(want.name()).getInfo();
            String haveType = DataType.describe(have.onnxType);
            if (!haveType.equals(want.dataType().id())) {
                throw new ModelValidationException(prefix + " has dtype " + haveType
                        + " in the ONNX file but " + want.dataType() + " in the manifest");
            }
            long[] haveShape = have.getShape();
            if (!Arrays.equals(haveShape, want.shape())) {
                throw new ModelValidationException(prefix + " has shape "
                        + Arrays.toString(haveShape) + " in the ONNX file but "
                        + want.shapeString() + " in the manifest");
            }
        }
    }

    private static String names(List<TensorSpec> specs) {
        return specs.stream().map(TensorSpec::name).toList().toString();
    }
}
