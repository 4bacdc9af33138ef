package dev.fusion.models.runtime;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the log events of one logger while open, to assert on exact log lines; shared with the
 * other modules' tests through this module's test-jar.
 */
public final class LogCapture extends AbstractAppender implements AutoCloseable {

    private final List<LogEvent> events = new CopyOnWriteArrayList<>();
    private final LoggerContext context;
    private final LoggerConfig loggerConfig;

    public LogCapture(Class<?> source) {
        super("capture-" + source.getSimpleName(), null, null, true, Property.EMPTY_ARRAY);
        this.context = (LoggerContext) LogManager.getContext(false);
        // A logger config of its own, so the capture sees exactly this class's events.
        this.loggerConfig = new LoggerConfig(source.getName(), Level.ALL, true);
        start();
        loggerConfig.addAppender(this, Level.ALL, null);
        context.getConfiguration().addLogger(source.getName(), loggerConfig);
        context.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        events.add(event.toImmutable());
    }

    /** The formatted messages logged at {@code level}. */
    public List<String> messages(Level level) {
        return events.stream().filter(e -> e.getLevel() == level)
                .map(e -> e.getMessage().getFormattedMessage()).toList();
    }

    @Override
    public void close() {
        context.getConfiguration().removeLogger(loggerConfig.getName());
        context.updateLoggers();
        stop();
    }
}
