package dev.fusion.schemas.codec;

import dev.fusion.schemas.AlignmentPolicy;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.DeadLetter;
import dev.fusion.schemas.DeadLetterReason;
import dev.fusion.schemas.DropReason;
import dev.fusion.schemas.DroppedEvent;
import dev.fusion.schemas.FusedEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** One realistic record of each contract type, for codec tests. */
final class SampleRecords {

    static final Instant T0 = Instant.parse("2026-11-23T08:00:00.123Z");

    private SampleRecords() {
    }

    static TextEvent text() {
        return TextEvent.newBuilder()
                .setEventId("t-1")
                .setEntityId("user-42")
                .setEventTime(T0)
                .setText("héllo wörld, 日本語 ✓")
                .setLanguage("de")
                .build();
    }

    static AudioFeatureEvent audio() {
        return AudioFeatureEvent.newBuilder()
                .setEventId("a-1")
                .setEntityId("user-42")
                .setEventTime(T0)
                .setFeatures(floats(128, 0.5f))
                .build();
    }

    static ImageFeatureEvent image() {
        return ImageFeatureEvent.newBuilder()
                .setEventId("i-1")
                .setEntityId("user-42")
                .setEventTime(T0)
                .setFeatures(floats(512, -0.25f))
                .build();
    }

    static FusedEvent fused() {
        return FusedEvent.newBuilder()
                .setEntityId("user-42")
                .setEventTime(T0)
                .setAlignment(AlignmentPolicy.WINDOW)
                .setWindowStart(T0.minusSeconds(1))
                .setFused(floats(64, 0.1f))
                .setScores(floats(8, 0.125f))
                .setWeights(List.of(0.5f, 0.25f, 0.25f))
                .setModalities(List.of(Modality.TEXT, Modality.AUDIO, Modality.IMAGE))
                .setSourceEventIds(List.of("t-1", "a-1", "i-1"))
                .setTriggerEventId(null)
                .setModelVersion("integration-max@1.0.0")
                .setEmittedAt(T0.plusMillis(40))
                .setStreamNames(List.of("text", "audio", "image"))
                .setPresentStreams(List.of("text", "audio", "image"))
                .build();
    }

    static DeadLetter deadLetter() {
        return DeadLetter.newBuilder()
                .setSourceTopic("fusion.audio")
                .setPartition(3)
                .setOffset(12345L)
                .setKey(ByteBuffer.wrap("user-42".getBytes()))
                .setValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setReason(DeadLetterReason.INVALID)
                .setMessage("features has 127 values, audio-routing expects 128")
                .setEventId("a-9")
                .setFailedAt(T0)
                .setValueSize(3)
                .setKeySize(7)
                .build();
    }

    static DroppedEvent dropped() {
        return DroppedEvent.newBuilder()
                .setSourceTopic("fusion.image")
                .setPartition(0)
                .setOffset(7L)
                .setEventId("i-7")
                .setEntityId("user-42")
                .setEventTime(T0)
                .setReason(DropReason.LATE)
                .setMessage("event time 2026-11-23T08:00:00.123Z is behind watermark")
                .build();
    }

    static List<Float> floats(int n, float base) {
        List<Float> values = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            values.add(base + i / 1000f);
        }
        return values;
    }
}
