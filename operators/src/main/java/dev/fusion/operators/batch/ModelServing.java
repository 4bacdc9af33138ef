package dev.fusion.operators.batch;

import java.io.Serializable;

/**
 * Which model a batch function serves and where, for the {@code modelInfo} gauge's labels.
 *
 * @param model the manifest's model name, e.g. {@code audio-routing}
 * @param version the model's version from the manifest
 * @param device the device its session runs on: {@code cpu} or {@code cuda:N}
 */
public record ModelServing(String model, String version, String device) implements Serializable {
}
