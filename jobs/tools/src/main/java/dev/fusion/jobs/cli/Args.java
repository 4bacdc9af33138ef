package dev.fusion.jobs.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.util.TimeUtils;

/**
 * Command-line arguments of one subcommand: {@code --name value}, {@code --name=value}, bare
 * flags, and repeatable {@code --set key=value} configuration overrides. Unknown names fail
 * with a message listing the valid ones.
 */
final class Args {

    private final String command;
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Map<String, String> overrides = new LinkedHashMap<>();

    private Args(String command) {
        this.command = command;
    }

    /**
     * @param options names that take a value
     * @param flags names that take none
     */
    static Args parse(String command, String[] argv, Set<String> options, Set<String> flags) {
        Args args = new Args(command);
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (!a.startsWith("--")) {
                throw new UsageException(command + ": unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (flags.contains(name)) {
                args.values.put(name, "true");
                continue;
            }
            if (!options.contains(name) && !name.equals("set")) {
                List<String> valid = new ArrayList<>(options);
                valid.addAll(flags);
                valid.add("set");
                throw new UsageException(command + ": unknown option --" + name + "; valid: --"
                        + String.join(", --", valid));
            }
            if (value == null) {
                if (i + 1 >= argv.length) {
                    throw new UsageException(command + ": --" + name + " needs a value");
                }
                value = argv[++i];
            }
            if (name.equals("set")) {
                int kv = value.indexOf('=');
                if (kv <= 0) {
                    throw new UsageException(command + ": --set takes key=value, got '" + value + "'");
                }
                args.overrides.put(value.substring(0, kv).trim(), value.substring(kv + 1).trim());
            } else {
                args.values.put(name, value);
            }
        }
        return args;
    }

    String get(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    boolean flag(String name) {
        return values.containsKey(name);
    }

    int intValue(String name, int fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(command + ": --" + name + " must be a whole number, got '" + v + "'");
        }
    }

    Duration duration(String name, Duration fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return TimeUtils.parseDuration(v.trim());
        } catch (IllegalArgumentException e) {
            throw new UsageException(command + ": --" + name + " must be a duration such as 60s or"
                    + " 2 min, got '" + v + "'");
        }
    }

    /** The {@code --set key=value} overrides, in order. */
    Map<String, String> overrides() {
        return overrides;
    }

    /** Thrown for a malformed command line; the launcher prints it with the usage. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
