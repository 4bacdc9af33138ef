package dev.fusion.jobs.demo;

import dev.fusion.jobs.config.FusionConfig;
import dev.fusion.jobs.config.FusionOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.util.TimeUtils;

/** The demo's command-line settings, and the job configuration they imply. */
final class DemoSettings {

    Duration duration = Duration.ofSeconds(60);
    int rate = 2000;
    int entities = 1000;
    long seed = 7;
    String corruptName = "none";
    Duration corruptAt = Duration.ofSeconds(30);

    /** Whether a stream is to be corrupted (its name is checked against the models' streams). */
    boolean corrupting() {
        return !corruptName.isEmpty() && !corruptName.equals("none");
    }
    int webPort = 8081;
    int pagePort = 8082;
    Path configFile;
    final Map<String, String> overrides = new LinkedHashMap<>();
    String policy;
    String mode;

    static DemoSettings parse(String[] argv) {
        DemoSettings s = new DemoSettings();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            String name = a.startsWith("--") ? a.substring(2) : a;
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (!DemoCommand.OPTIONS.contains(name) && !name.equals("set")) {
                throw new IllegalArgumentException("demo: unknown option '" + a + "'; valid: --"
                        + String.join(", --", DemoCommand.OPTIONS) + ", --set key=value");
            }
            if (value == null) {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException("demo: --" + name + " needs a value");
                }
                value = argv[++i];
            }
            switch (name) {
                case "duration" -> s.duration = duration(name, value);
                case "rate" -> s.rate = positive(name, value);
                case "entities" -> s.entities = positive(name, value);
                case "seed" -> s.seed = Long.parseLong(value.trim());
                case "corrupt" -> {
                    s.corruptName = value.trim();
                }
                case "corrupt-at" -> s.corruptAt = duration(name, value);
                case "web-port" -> s.webPort = dev.fusion.jobs.cli.LocalCluster.resolvePort(
                        value.trim().equals("0") ? 0 : positive(name, value));
                case "page-port" -> s.pagePort = value.trim().equals("0") ? 0 : positive(name, value);
                case "config" -> s.configFile = Path.of(value);
                default -> {
                    int kv = value.indexOf('=');
                    if (kv <= 0) {
                        throw new IllegalArgumentException("demo: --set takes key=value, got '" + value + "'");
                    }
                    s.overrides.put(value.substring(0, kv).trim(), value.substring(kv + 1).trim());
                }
            }
        }
        FusionConfig preview = s.config("localhost:0");
        s.policy = preview.get(FusionOptions.ALIGN_POLICY).name().toLowerCase(java.util.Locale.ROOT);
        s.mode = preview.get(FusionOptions.FUSION_MODE).name().toLowerCase(java.util.Locale.ROOT);
        return s;
    }

    /** Demo defaults (a 1 s checkpoint so output shows up quickly), the file, then --set. */
    FusionConfig config(String bootstrapServers) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put(FusionOptions.CHECKPOINT_INTERVAL.key(), "1 s");
        all.put(FusionOptions.TRANSACTIONAL_ID_PREFIX.key(), "fusion-demo");
        all.putAll(overrides);
        all.put(FusionOptions.BOOTSTRAP_SERVERS.key(), bootstrapServers);
        return FusionConfig.load(configFile, all);
    }

    private static Duration duration(String name, String value) {
        try {
            return TimeUtils.parseDuration(value.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("demo: --" + name + " must be a duration such as 60s, got '"
                    + value + "'");
        }
    }

    private static int positive(String name, String value) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("demo: --" + name + " must be a positive whole number, got '"
                + value + "'");
    }
}
