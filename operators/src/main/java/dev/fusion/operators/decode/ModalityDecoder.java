package dev.fusion.operators.decode;

import dev.fusion.models.manifest.Modality;
import dev.fusion.operators.records.ModalityRecord;
import dev.fusion.operators.records.RawRecord;
import dev.fusion.schemas.AudioFeatureEvent;
import dev.fusion.schemas.FeatureEvent;
import dev.fusion.schemas.ImageFeatureEvent;
import dev.fusion.schemas.TextEvent;
import dev.fusion.schemas.codec.CodecException;
import dev.fusion.schemas.codec.FloatArrayList;
import dev.fusion.schemas.codec.SingleObjectCodec;
import java.io.Serializable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * Turns the raw bytes of one stream's topic into a validated {@link ModalityRecord}, or says
 * precisely why it cannot: a {@link CodecException} for bytes that are not a known record, an
 * {@link InvalidRecordException} for a record that breaks the contract. Knows no Flink.
 *
 * <p>A text stream reads {@code TextEvent}s; a feature stream reads {@code FeatureEvent}s, and
 * the streams named {@code audio} and {@code image} also their own record types
 * ({@code AudioFeatureEvent}, {@code ImageFeatureEvent}), which have the same fields.
 */
public final class ModalityDecoder implements Serializable {

    private static final long serialVersionUID = 1L;

    private final Modality modality;
    private final int featureDim;
    private final ValidationOptions options;
    private final Clock clock;
    /** The record types this stream reads, the one it is named for first. */
    private transient List<SingleObjectCodec<?>> codecs;

    /**
     * @param featureDim the length of a feature stream's vectors (its routing model's
     *     {@code input_dim}); ignored for a text stream
     */
    public ModalityDecoder(Modality modality, int featureDim, ValidationOptions options,
            Clock clock) {
        if (!modality.isText() && featureDim < 1) {
            throw new IllegalArgumentException("the feature stream '" + modality
                    + "' needs a feature dimension >= 1, got " + featureDim);
        }
        this.modality = modality;
        this.featureDim = featureDim;
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
        Object event = codec(raw.value).decode(raw.value);
        if (event instanceof TextEvent e) {
            return text(e, raw);
        }
        if (event instanceof FeatureEvent e) {
            return features(e.getEventId(), e.getEntityId(), e.getEventTime(), e.getFeatures(), raw);
        }
        if (event instanceof AudioFeatureEvent e) {
            return features(e.getEventId(), e.getEntityId(), e.getEventTime(), e.getFeatures(), raw);
        }
        ImageFeatureEvent e = (ImageFeatureEvent) event;
        return features(e.getEventId(), e.getEntityId(), e.getEventTime(), e.getFeatures(), raw);
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
        return ModalityRecord.text(modality.index(), e.getEventId(), e.getEntityId(),
                e.getEventTime().toEpochMilli(), text, raw.topic, raw.partition, raw.offset);
    }

    private ModalityRecord features(String eventId, String entityId, Instant eventTime,
            List<Float> values, RawRecord raw) throws InvalidRecordException {
        checkCommon(eventId, entityId, eventTime);
        int dim = featureDim;
        if (values.size() != dim) {
            throw new InvalidRecordException(eventId, "features has " + values.size()
                    + " values, the " + modality + " routing model expects " + dim);
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
        return ModalityRecord.features(modality.index(), eventId, entityId,
                eventTime.toEpochMilli(), features, raw.topic, raw.partition, raw.offset);
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

    /**
     * The codec of the record type {@code message} is written in; the stream's own type when it
     * is none it reads (whose decode then says so).
     */
    private SingleObjectCodec<?> codec(byte[] message) {
        if (codecs == null) {
            codecs = codecs(modality);
        }
        // The stream's own type first: one lookup for the records a topic normally carries.
        for (SingleObjectCodec<?> codec : codecs) {
            if (codec.reads(message)) {
                return codec;
            }
        }
        return codecs.get(0);
    }

    private static List<SingleObjectCodec<?>> codecs(Modality modality) {
        if (modality.isText()) {
            return List.of(SingleObjectCodec.forSpecific(TextEvent.class));
        }
        SingleObjectCodec<FeatureEvent> features = SingleObjectCodec.forSpecific(FeatureEvent.class);
        return switch (modality.id()) {
            case Modality.AUDIO -> List.of(SingleObjectCodec.forSpecific(AudioFeatureEvent.class),
                    features);
            case Modality.IMAGE -> List.of(SingleObjectCodec.forSpecific(ImageFeatureEvent.class),
                    features);
            default -> List.of(features);
        };
    }
}
