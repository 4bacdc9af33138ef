package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionOptions;
import java.io.PrintStream;
import org.apache.flink.configuration.ConfigOption;

/**
 * {@code options}: every configuration key with its default and description, and the
 * {@code kafka.properties.*} family.
 */
final class OptionsCommand {

    private OptionsCommand() {
    }

    static void run(PrintStream out) {
        out.println("Configuration keys (YAML nests them by their dots; --set key=value overrides):");
        out.println();
        for (ConfigOption<?> option : FusionOptions.all()) {
            Object def = option.hasDefaultValue() ? option.defaultValue() : "(none)";
            out.printf("  %-32s default %s%n", option.key(), def);
            out.printf("  %-32s %s%n%n", "", FusionOptions.describe(option));
        }
        out.printf("  %-32s (any number, no default)%n",
                FusionOptions.KAFKA_PROPERTIES_PREFIX + "<name>");
        out.printf("  %-32s %s%n", "", FusionOptions.KAFKA_PROPERTIES_DESCRIPTION);
    }
}
