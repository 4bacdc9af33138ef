package dev.fusion.jobs.kafka;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.embedded.EmbeddedKafkaBroker;
import dev.fusion.operators.decode.DeadLetters;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The start-up check that the largest dead letter {@code dlq.*} allows fits the dlq topic's
 * {@code max.message.bytes}: exact at the boundary, and the message names the key to change.
 */
class BrokerPreflightITCase {

    /** Kafka's default message.max.bytes, which the test kit's broker keeps. */
    private static final int DEFAULT_MAX_MESSAGE_BYTES = 1_048_588;
    private static final String DLQ = "fusion.dlq.preflight";

    @Test
    void aDeadLetterCapThatTheDlqTopicCannotHoldFailsNamingTheKey() throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start()) {
            createDlq(broker);
            DeadLetters defaults = DeadLetters.defaults();
            int overhead = KafkaIo.maxDeadLetterRecordBytes(defaults) - defaults.maxValueBytes();
            int fitting = DEFAULT_MAX_MESSAGE_BYTES - overhead;

            assertThatCode(() -> BrokerPreflight.check(config(broker, defaults.maxValueBytes()),
                    List.of(DLQ))).doesNotThrowAnyException();
            assertThatCode(() -> BrokerPreflight.check(config(broker, fitting), List.of(DLQ)))
                    .doesNotThrowAnyException();
            assertThatThrownBy(() -> BrokerPreflight.check(config(broker, fitting + 1), List.of(DLQ)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessage("dlq.max-value-bytes=" + (fitting + 1) + " and dlq.max-key-bytes=1024"
                            + " allow dead-letter records of up to " + (DEFAULT_MAX_MESSAGE_BYTES + 1)
                            + " bytes, above topic " + DLQ + "'s max.message.bytes of "
                            + DEFAULT_MAX_MESSAGE_BYTES + ": lower dlq.max-value-bytes to at most "
                            + fitting + " or raise the topic's max.message.bytes");
        }
    }

    @Test
    void aBrokerStartedWithLargerMessagesHoldsALargerCap() throws Exception {
        String eight = String.valueOf(8 << 20);
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(
                "message.max.bytes", eight, "replica.fetch.max.bytes", eight))) {
            createDlq(broker);
            assertThatCode(() -> BrokerPreflight.check(config(broker, 4 << 20), List.of(DLQ)))
                    .doesNotThrowAnyException();
            assertThatThrownBy(() -> BrokerPreflight.check(config(broker, 8 << 20), List.of(DLQ)))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining("above topic " + DLQ + "'s max.message.bytes of " + eight);
        }
    }

    private static void createDlq(EmbeddedKafkaBroker broker) throws Exception {
        try (TopicAdmin admin = new TopicAdmin(broker.bootstrapServers())) {
            admin.createTopics(Map.of(DLQ, 1), Duration.ofSeconds(30));
        }
    }

    private static FusionConfig config(EmbeddedKafkaBroker broker, int maxValueBytes) {
        return FusionConfig.of(Map.of("kafka.bootstrap-servers", broker.bootstrapServers(),
                "kafka.topics.dlq", DLQ, "dlq.max-value-bytes", String.valueOf(maxValueBytes)));
    }
}
