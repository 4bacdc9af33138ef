package dev.fusion.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Command-line parsing of the launcher's subcommands. */
class ArgsTest {

    private static final Set<String> OPTIONS = Set.of("rate", "duration");
    private static final Set<String> FLAGS = Set.of("from-beginning");

    @Test
    void readsValuesFlagsAndOverrides() {
        Args args = Args.parse("x", new String[] {"--rate", "500", "--duration=2 min", "--from-beginning",
            "--set", "inference.batch-size=8", "--set=align.policy = latest"}, OPTIONS, FLAGS);
        assertThat(args.intValue("rate", 1)).isEqualTo(500);
        assertThat(args.duration("duration", Duration.ZERO)).isEqualTo(Duration.ofMinutes(2));
        assertThat(args.flag("from-beginning")).isTrue();
        // In command-line order: a later --set of the same key must win.
        assertThat(args.overrides()).containsExactly(entry("inference.batch-size", "8"),
                entry("align.policy", "latest"));
        assertThat(args.intValue("missing", 7)).isEqualTo(7);
    }

    @Test
    void errorsNameTheCommandAndTheOption() {
        assertThatThrownBy(() -> Args.parse("produce", new String[] {"--rat", "5"}, OPTIONS, FLAGS))
                .hasMessageStartingWith("produce: unknown option --rat; valid: --");
        assertThatThrownBy(() -> Args.parse("produce", new String[] {"--rate"}, OPTIONS, FLAGS))
                .hasMessage("produce: --rate needs a value");
        assertThatThrownBy(() -> Args.parse("x", new String[] {"--rate", "fast"}, OPTIONS, FLAGS)
                .intValue("rate", 1)).hasMessage("x: --rate must be a whole number, got 'fast'");
        assertThatThrownBy(() -> Args.parse("x", new String[] {"--set", "novalue"}, OPTIONS, FLAGS))
                .hasMessage("x: --set takes key=value, got 'novalue'");
        assertThatThrownBy(() -> Args.parse("x", new String[] {"stray"}, OPTIONS, FLAGS))
                .hasMessage("x: unexpected argument 'stray'");
    }
}
