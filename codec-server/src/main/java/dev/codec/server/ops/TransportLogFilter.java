package dev.codec.server.ops;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;

/**
 * Turns grpc-java's and Netty's per-request transport warnings into rate-limited one-line
 * summaries.
 *
 * <p>A client that sends a truncated frame, a wrong content-type, GET, reserved flag bits and so on
 * makes grpc-java log a WARNING with a 40-line stack trace ({@code NettyServerHandler} "Stream
 * Error", "Exception in onDataRead()", ...): a flood of such requests would drown the log and break
 * one-JSON-object-per-line. This filter (installed by LogConfiguration) drops every WARN/ERROR
 * event of an {@code io.grpc} or {@code io.netty} logger that carries a throwable, and instead logs
 * on {@value #LOGGER} at most one line per kind of problem (logger, message format and exception
 * classes) and {@link #INTERVAL_NANOS interval}: the message, the latest exception's class and
 * first message line, and how many times it happened since the last line. A count not yet reported
 * is reported with the next occurrence, or when the kind expires (not seen for a minute), so the
 * bounded set of kinds makes room for later problems.
 *
 * <p>It also sees every logged throwable of every logger, so it ends the process on an {@link
 * OutOfMemoryError} ({@link OutOfMemoryExit}). Hand-written: logback has a duplicate-message
 * filter, but it neither counts nor reports what it dropped.
 */
public class TransportLogFilter extends TurboFilter {
  /** The logger the summaries are written to. */
  public static final String LOGGER = "codec.transport";

  static final long INTERVAL_NANOS = 10_000_000_000L;

  /** A kind not seen for this long is dropped (its count not yet reported is reported then). */
  static final long EXPIRY_NANOS = 60_000_000_000L;

  private static final int MAX_KINDS = 64;
  private static final int MAX_TEXT = 160;
  private static final String OTHER = "other transport problems";

  /**
   * Kinds of problem by where they come from: the logger, the log message's format and the
   * exception classes, never the exception's text (which may be the client's: a content-type it
   * sent), so a client cannot make new kinds. At most {@value #MAX_KINDS}, each expiring {@link
   * #EXPIRY_NANOS} after it was last seen.
   */
  private final Map<String, Kind> kinds = new LinkedHashMap<>();

  private long lastExpiry;
  private org.slf4j.Logger summary;

  /** System.nanoTime(); replaced in tests. */
  LongSupplier clock = System::nanoTime;

  private static final class Kind {
    final String text;
    long count;
    long lastReport;
    long lastSeen;
    boolean reported;

    /** The latest occurrence's exception, shortened (shown on the kind's line). */
    String example;

    Kind(String text) {
      this.text = text;
    }

    String line(long count) {
      return text
          + " ("
          + example
          + ") ["
          + count
          + " time(s) since the last report; at most one line per "
          + INTERVAL_NANOS / 1_000_000_000L
          + "s]";
    }
  }

  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    Throwable thrown = t;
    if (thrown == null
        && params != null
        && params.length > 0
        && params[params.length - 1] instanceof Throwable last) {
      thrown = last;
    }
    if (thrown == null || level == null) {
      return FilterReply.NEUTRAL;
    }
    OutOfMemoryExit.ifOutOfMemory(thrown);
    String name = logger.getName();
    if (!level.isGreaterOrEqual(Level.WARN)
        || !(name.startsWith("io.grpc") || name.startsWith("io.netty"))) {
      return FilterReply.NEUTRAL;
    }
    String text = shortName(name) + ": " + oneLine(format);
    record(name + "|" + text + "|" + classes(thrown), text, describe(thrown));
    return FilterReply.DENY;
  }

  private void record(String key, String text, String example) {
    long now = clock.getAsLong();
    List<String> lines = new ArrayList<>(1);
    synchronized (kinds) {
      if (now - lastExpiry >= INTERVAL_NANOS
          || (kinds.size() >= MAX_KINDS && !kinds.containsKey(key))) {
        expire(now, lines);
      }
      Kind kind = kinds.get(key);
      if (kind == null) {
        if (kinds.size() >= MAX_KINDS) {
          key = OTHER;
          kind = kinds.computeIfAbsent(key, k -> new Kind(OTHER));
        } else {
          kind = new Kind(text);
          kinds.put(key, kind);
        }
      }
      kind.count++;
      kind.lastSeen = now;
      kind.example = key.equals(OTHER) ? text + ": " + example : example;
      if (!kind.reported || now - kind.lastReport >= INTERVAL_NANOS) {
        lines.add(kind.line(kind.count));
        kind.count = 0;
        kind.lastReport = now;
        kind.reported = true;
      }
    }
    for (String line : lines) {
      summaryLogger().warn(line);
    }
  }

  /**
   * Drops the kinds not seen for {@link #EXPIRY_NANOS}; a count of theirs not yet reported goes to
   * {@code lines}.
   */
  private void expire(long now, List<String> lines) {
    lastExpiry = now;
    for (Iterator<Kind> it = kinds.values().iterator(); it.hasNext(); ) {
      Kind kind = it.next();
      if (now - kind.lastSeen >= EXPIRY_NANOS) {
        if (kind.count > 0) {
          lines.add(kind.line(kind.count));
        }
        it.remove();
      }
    }
  }

  /**
   * The exception's class and its cause's: what kind of problem, without client-influenced text.
   */
  private static String classes(Throwable t) {
    Throwable cause = t.getCause();
    return t.getClass().getName()
        + (cause != null && cause != t ? "<" + cause.getClass().getName() : "");
  }

  private org.slf4j.Logger summaryLogger() {
    if (summary == null) {
      summary = LoggerFactory.getLogger(LOGGER);
    }
    return summary;
  }

  private static String shortName(String logger) {
    return logger.substring(logger.lastIndexOf('.') + 1);
  }

  /** The exception class and the first line of its message (and of its cause's), shortened. */
  static String describe(Throwable t) {
    StringBuilder text = new StringBuilder(t.getClass().getSimpleName());
    if (t.getMessage() != null) {
      text.append(": ").append(oneLine(t.getMessage()));
    }
    Throwable cause = t.getCause();
    if (cause != null && cause != t) {
      text.append("; caused by ").append(cause.getClass().getSimpleName());
      if (cause.getMessage() != null) {
        text.append(": ").append(oneLine(cause.getMessage()));
      }
    }
    return text.length() > 2 * MAX_TEXT ? text.substring(0, 2 * MAX_TEXT) + "..." : text.toString();
  }

  private static String oneLine(String text) {
    if (text == null) {
      return "";
    }
    int end = text.indexOf('\n');
    String line = end < 0 ? text : text.substring(0, end);
    StringBuilder clean = new StringBuilder(Math.min(line.length(), MAX_TEXT));
    for (int i = 0; i < line.length() && clean.length() < MAX_TEXT; i++) {
      char c = line.charAt(i);
      clean.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return line.length() > MAX_TEXT ? clean + "..." : clean.toString();
  }
}
