package dev.fusion.jobs.lifecycle;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import dev.fusion.jobs.kafka.KafkaClientProperties;
import dev.fusion.jobs.kafka.TopicAdmin;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start the job without state when an earlier run of it has committed input offsets.
 *
 * <p>The sources commit their offsets when a checkpoint completes, and by then the checkpoint's
 * window state still holds records read before those offsets. A run started without that state
 * would read on from the offsets and never fuse those records: a silent loss. So a stateless
 * start over committed offsets needs {@code job.start-fresh: true}.
 */
public final class FreshStartGuard {

    private static final Logger LOG = LoggerFactory.getLogger(FreshStartGuard.class);

    private FreshStartGuard() {
    }

    /**
     * @param restoring whether the job restores a snapshot
     * @param inputTopics the job's input topics
     */
    public static void check(FusionConfig config, boolean restoring, Collection<String> inputTopics)
            throws InterruptedException {
        if (restoring) {
            return;
        }
        String group = config.get(FusionOptions.GROUP_ID);
        Set<String> committed = committedTopics(config, group, inputTopics);
        if (committed.isEmpty()) {
            return;
        }
        if (config.get(FusionOptions.START_FRESH)) {
            LOG.warn("starting without state although consumer group '{}' has committed offsets on {}"
                    + " ({}=true): records the previous run still held in its state are never fused",
                    group, committed, FusionOptions.START_FRESH.key());
            return;
        }
        throw new ConfigException("consumer group '" + group + "' (" + FusionOptions.GROUP_ID.key()
                + ") has committed offsets on " + committed + ", but the job starts without state:"
                + " records the previous run held in open windows would never be fused. Resume from"
                + " its retained checkpoint or savepoint ('./fusion run' does by default, or"
                + " --from PATH; 'flink run -s PATH'), or start fresh knowingly with "
                + FusionOptions.START_FRESH.key() + "=true ('./fusion run --fresh')");
    }

    private static Set<String> committedTopics(FusionConfig config, String group,
            Collection<String> inputTopics) throws InterruptedException {
        KafkaClientProperties clients = KafkaClientProperties.of(config);
        try (TopicAdmin admin = new TopicAdmin(clients)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.admin()
                    .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS);
            Set<String> topics = new TreeSet<>();
            offsets.forEach((tp, offset) -> {
                if (offset != null && inputTopics.contains(tp.topic())) {
                    topics.add(tp.topic());
                }
            });
            return topics;
        } catch (ExecutionException | TimeoutException e) {
            throw new ConfigException("cannot read the committed offsets of consumer group '" + group
                    + "' (" + FusionOptions.GROUP_ID.key() + "): "
                    + clients.redact(String.valueOf(e)), e);
        }
    }
}
