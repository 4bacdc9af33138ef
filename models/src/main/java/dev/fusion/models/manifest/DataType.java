package dev.fusion.models.manifest;

import ai.onnxruntime.TensorInfo;

/** Tensor element types the contract uses, named as in the manifest. */
public enum DataType {
    FLOAT32("float32", TensorInfo.OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT),
    INT64("int64", TensorInfo.OnnxTensorType.ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64);

    private final String id;
    private final TensorInfo.OnnxTensorType onnxType;

    DataType(String id, TensorInfo.OnnxTensorType onnxType) {
        this.id = id;
        this.onnxType = onnxType;
    }

    /** The manifest spelling, e.g. {@code float32}. */
    public String id() {
        return id;
    }

    /** Parses a manifest dtype; null for an unknown one, so the caller can name the field. */
    static DataType fromIdOrNull(String id) {
        for (DataType type : values()) {
            if (type.id.equals(id)) {
                return type;
            }
        }
        return null;
    }

    /** The manifest spelling of an ONNX element type, or ONNX Runtime's own name for others. */
    static String describe(TensorInfo.OnnxTensorType onnxType) {
        for (DataType type : values()) {
            if (type.onnxType == onnxType) {
                return type.id;
            }
        }
        return onnxType.name();
    }

    @Override
    public String toString() {
        return id;
    }
}
