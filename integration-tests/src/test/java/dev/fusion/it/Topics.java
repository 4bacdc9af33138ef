package dev.fusion.it;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One test's topic names: the defaults with a unique suffix.
 *
 * @param suffix unique per test
 */
record Topics(String suffix) {

    String text() {
        return "fusion.text." + suffix;
    }

    String audio() {
        return "fusion.audio." + suffix;
    }

    String image() {
        return "fusion.image." + suffix;
    }

    String fused() {
        return "fusion.fused." + suffix;
    }

    String dlq() {
        return "fusion.dlq." + suffix;
    }

    String dropped() {
        return "fusion.dropped." + suffix;
    }

    Map<String, Integer> partitions(int inputPartitions) {
        Map<String, Integer> p = new LinkedHashMap<>();
        p.put(text(), inputPartitions);
        p.put(audio(), inputPartitions);
        p.put(image(), inputPartitions);
        p.put(fused(), 2);
        p.put(dlq(), 1);
        p.put(dropped(), 1);
        return p;
    }

    Map<String, String> configuration() {
        return Map.of("kafka.topics.text", text(), "kafka.topics.audio", audio(),
                "kafka.topics.image", image(), "kafka.topics.fused", fused(),
                "kafka.topics.dlq", dlq(), "kafka.topics.dropped", dropped());
    }
}
