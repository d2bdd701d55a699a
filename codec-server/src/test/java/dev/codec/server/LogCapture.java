package dev.codec.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Captures what a logger (and its children) logs while open, at a chosen level, stack traces
 * included.
 */
public final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level previousLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  private LogCapture(String loggerName, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    this.previousLevel = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  /** Everything from {@code loggerName} at {@code level} and above. */
  public static LogCapture of(String loggerName, Level level) {
    return new LogCapture(loggerName, level);
  }

  /** Every logger of the application at DEBUG. */
  public static LogCapture everythingAtDebug() {
    return new LogCapture(org.slf4j.Logger.ROOT_LOGGER_NAME, Level.DEBUG);
  }

  /** Formatted messages (with any stack trace) captured so far. */
  public synchronized List<String> lines() {
    List<String> lines = new ArrayList<>();
    for (ILoggingEvent event : new ArrayList<>(appender.list)) {
      StringBuilder line =
          new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
      IThrowableProxy thrown = event.getThrowableProxy();
      if (thrown != null) {
        line.append('\n').append(ThrowableProxyUtil.asString(thrown));
      }
      lines.add(line.toString());
    }
    return lines;
  }

  /** Only the messages (no logger name) of {@code loggerName}. */
  public synchronized List<String> messagesOf(String loggerName) {
    List<String> messages = new ArrayList<>();
    for (ILoggingEvent event : new ArrayList<>(appender.list)) {
      if (event.getLoggerName().equals(loggerName)) {
        messages.add(event.getFormattedMessage());
      }
    }
    return messages;
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
    appender.stop();
  }
}
