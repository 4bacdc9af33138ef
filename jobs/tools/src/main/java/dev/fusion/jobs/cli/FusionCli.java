package dev.fusion.jobs.cli;

import dev.fusion.jobs.config.ConfigException;
import dev.fusion.models.manifest.ModelValidationException;
import dev.fusion.models.runtime.DeviceUnavailableException;
import java.io.PrintStream;
import java.util.Arrays;

/** The Java side of the {@code ./fusion} launcher: one subcommand per invocation. */
public final class FusionCli {

    private FusionCli() {
    }

    public static void main(String[] argv) {
        PrintStream out = System.out;
        if (argv.length == 0) {
            System.err.println("usage: fusion <demo|run|broker|produce|tail|options|state|models> [options]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(argv, 1, argv.length);
        try {
            switch (argv[0]) {
                case "demo" -> dev.fusion.jobs.demo.DemoCommand.run(rest, out);
                case "run" -> RunCommand.run(rest, out);
                case "broker" -> BrokerCommand.run(rest, out);
                case "produce" -> ProduceCommand.run(rest, out);
                case "tail" -> TailCommand.run(rest, out);
                case "options" -> OptionsCommand.run(out);
                case "state" -> StateCommand.run(rest, out);
                case "models" -> ModelsCommand.run(rest, out);
                default -> throw new Args.UsageException("unknown command '" + argv[0] + "'");
            }
            System.exit(0);
        } catch (Args.UsageException | ConfigException | ModelValidationException
                | DeviceUnavailableException | IllegalArgumentException e) {
            System.err.println("fusion " + argv[0] + ": " + e.getMessage());
            System.exit(2);
        } catch (Exception e) {
            System.err.println("fusion " + argv[0] + " failed: " + e);
            e.printStackTrace(System.err);
            System.exit(1);
        }
    }
}
