package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.FusionConfig;
import java.nio.file.Path;

/** Loads the job configuration from a subcommand's {@code --config} and {@code --set} arguments. */
final class CliConfig {

    private CliConfig() {
    }

    static FusionConfig load(Args args) {
        String file = args.get("config", null);
        return FusionConfig.load(file == null ? null : Path.of(file), args.overrides());
    }
}
