package dev.fusion.operators.decode;

import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.Modality;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.FloatArrayList;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Turns the raw bytes of one modality's topic into a validated {@link ModalityRecord}, or says
 * precisely why it cannot: a {@link CodecException} for bytes that are not a known record, an
 * {@link InvalidRecordException} for a record that breaks the contract. Knows no Flink.
 */
public final class ModalityDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Modality modality;
    private final ValidationOptions options;
    private final Clock clock;
    private transient SingleObjectCodec<?> codec;

    public ModalityDecoder(Modality modality, ValidationOptions options, Clock clock) {
        this.modality = modality;
        this.options = options;
        this.clock = clock;
    }

    public Modality modality() {
        return modality;
    }

    /**
     * {@link #decode}, at most once per record: the outcome, record or failure, is kept on
     * {@code raw} and given back to every later call with the same object.
     */
    public ModalityRecord decodeOnce(RawRecord raw) throws CodecException, InvalidRecordException {
        if (raw.decoded == null && raw.decodeFailure == null) {
            try {
                raw.decoded = decode(raw);
            } catch (CodecException | InvalidRecordException | RuntimeException e) {
                raw.decodeFailure = e;
            }
        }
        if (raw.decodeFailure instanceof CodecException e) {
            throw e;
        }
        if (raw.decodeFailure instanceof InvalidRecordException e) {
            throw e;
        }
        if (raw.decodeFailure instanceof RuntimeException e) {
            throw e;
        }
        return raw.decoded;
    }

    /** Decodes and validates one record. */
    public ModalityRecord decode(RawRecord raw) throws CodecException, InvalidRecordException {
        Object event = codec().decode(raw.value);
        return switch (modality) {
            case TEXT -> text((TextEvent) event, raw);
            case AUDIO -> {
                AudioFeatureEvent e = (AudioFeatureEvent) event;
                yield features(e.getEventId(), e.getEntityId(), e.getEventTime(), e.getFeatures(),
                        options.audioDim(), raw);
            }
            case IMAGE -> {
                ImageFeatureEvent e = (ImageFeatureEvent) event;
                yield features(e.getEventId(), e.getEntityId(), e.getEventTime(), e.getFeatures(),
                        options.imageDim(), raw);
            }
        };
    }

    private ModalityRecord text(TextEvent e, RawRecord raw) throws InvalidRecordException {
        checkCommon(e.getEventId(), e.getEntityId(), e.getEventTime());
        String text = e.getText();
        if (text.isBlank()) {
            throw new InvalidRecordException(e.getEventId(), "text is empty or blank");
        }
        if (text.length() > options.maxTextChars()) {
            throw new InvalidRecordException(e.getEventId(), "text has " + text.length()
                    + " chars, more than " + ValidationOptions.MAX_TEXT_CHARS + "="
                    + options.maxTextChars());
        }
        return ModalityRecord.text(e.getEventId(), e.getEntityId(), e.getEventTime().toEpochMilli(),
                text, raw.topic, raw.partition, raw.offset);
    }

    private ModalityRecord features(String eventId, String entityId, Instant eventTime,
            List<Float> values, int dim, RawRecord raw) throws InvalidRecordException {
        checkCommon(eventId, entityId, eventTime);
        if (values.size() != dim) {
            throw new InvalidRecordException(eventId, "features has " + values.size()
                    + " values, the " + name() + " routing model expects " + dim);
        }
        // The codec hands the current version's features over as a float[]: no copy, no unboxing.
        float[] features = values instanceof FloatArrayList list ? list.floats() : unbox(values);
        for (int i = 0; i < dim; i++) {
            float v = features[i];
            if (!Float.isFinite(v)) {
                throw new InvalidRecordException(eventId, "features[" + i + "] is " + v
                        + ", features must be finite");
            }
        }
        return ModalityRecord.features(modality, eventId, entityId, eventTime.toEpochMilli(), features,
                raw.topic, raw.partition, raw.offset);
    }

    private static float[] unbox(List<Float> values) {
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = values.get(i);
        }
        return floats;
    }

    private void checkCommon(String eventId, String entityId, Instant eventTime)
            throws InvalidRecordException {
        if (eventId.isBlank()) {
            throw new InvalidRecordException(null, "event_id is empty or blank");
        }
        if (eventId.length() > options.maxIdChars()) {
            throw new InvalidRecordException(eventId, "event_id has " + eventId.length()
                    + " chars, more than " + ValidationOptions.MAX_ID_CHARS + "=" + options.maxIdChars());
        }
        if (entityId.isBlank()) {
            throw new InvalidRecordException(eventId, "entity_id is empty or blank");
        }
        if (entityId.length() > options.maxIdChars()) {
            throw new InvalidRecordException(eventId, "entity_id has " + entityId.length()
                    + " chars, more than " + ValidationOptions.MAX_ID_CHARS + "=" + options.maxIdChars());
        }
        long millis = eventTime.toEpochMilli();
        long now = clock.millis();
        if (!options.eventTimeInRange(millis, now)) {
            throw new InvalidRecordException(eventId, "event_time " + eventTime
                    + " is outside the accepted range [" + options.minEventTime() + ", now + "
                    + options.maxFutureSkew() + "] (" + ValidationOptions.MIN_EVENT_TIME + ", "
                    + ValidationOptions.MAX_FUTURE_SKEW + ")");
        }
    }

    private String name() {
        return modality.name().toLowerCase(java.util.Locale.ROOT);
    }

    private SingleObjectCodec<?> codec() {
        if (codec == null) {
            codec = switch (modality) {
                case TEXT -> SingleObjectCodec.forSpecific(TextEvent.class);
                case AUDIO -> SingleObjectCodec.forSpecific(AudioFeatureEvent.class);
                case IMAGE -> SingleObjectCodec.forSpecific(ImageFeatureEvent.class);
            };
        }
        return codec;
    }
}
