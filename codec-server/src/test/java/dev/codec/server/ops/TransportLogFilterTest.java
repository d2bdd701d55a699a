package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import dev.codec.server.LogCapture;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The transport warnings' summaries: one line per kind of problem and interval, kinds bounded and
 * expiring.
 */
class TransportLogFilterTest {
  private static final Logger NETTY_HANDLER =
      (Logger) LoggerFactory.getLogger("io.grpc.netty.NettyServerHandler");
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final TransportLogFilter filter = new TransportLogFilter();

  {
    filter.clock = now::get;
  }

  @Test
  void clientChosenExceptionTexts_makeOneKind_soALaterRealProblemGetsItsOwnLine() {
    try (LogCapture log = LogCapture.of(TransportLogFilter.LOGGER, Level.WARN)) {
      // the text of these exceptions comes from the client (a content-type it sent): 200 different
      // ones
      for (int i = 0; i < 200; i++) {
        filter.decide(
            null,
            NETTY_HANDLER,
            Level.WARN,
            "Stream Error",
            null,
            new IllegalArgumentException("Content-Type 'text/x-" + i + "' is not supported"));
      }
      filter.decide(
          null,
          NETTY_HANDLER,
          Level.WARN,
          "Exception in onDataRead()",
          null,
          new IllegalStateException("a real problem"));

      List<String> lines = log.messagesOf(TransportLogFilter.LOGGER);
      assertEquals(2, lines.size(), lines.toString());
      assertTrue(
          lines
              .get(0)
              .startsWith(
                  "NettyServerHandler: Stream Error (IllegalArgumentException: Content-Type"),
          lines.get(0));
      assertTrue(
          lines
              .get(1)
              .startsWith(
                  "NettyServerHandler: Exception in onDataRead() (IllegalStateException: a real problem)"),
          lines.get(1));
    }
  }

  @Test
  void kindsNotSeenForAWhile_expire_withTheirPendingCountsReported() {
    try (LogCapture log = LogCapture.of(TransportLogFilter.LOGGER, Level.WARN)) {
      for (int i = 0;
          i < 64;
          i++) { // as many kinds as the filter keeps, each twice: one line, one count pending
        for (int n = 0; n < 2; n++) {
          filter.decide(
              null,
              NETTY_HANDLER,
              Level.WARN,
              "problem " + i,
              null,
              new IllegalStateException("x"));
        }
      }
      now.addAndGet(TransportLogFilter.EXPIRY_NANOS + 1);
      filter.decide(
          null, NETTY_HANDLER, Level.WARN, "a new problem", null, new IllegalStateException("y"));

      List<String> lines = log.messagesOf(TransportLogFilter.LOGGER);
      assertTrue(
          lines.stream().noneMatch(line -> line.contains("other transport problems")),
          lines.toString());
      assertTrue(
          lines.stream()
              .anyMatch(
                  line ->
                      line.startsWith(
                          "NettyServerHandler: a new problem (IllegalStateException: y) [1 time(s)")),
          lines.toString());
      // each expired kind's second occurrence (not yet reported) is reported when the kind expires
      for (int i = 0; i < 64; i++) {
        String kind = "NettyServerHandler: problem " + i + " (";
        assertEquals(
            2,
            lines.stream()
                .filter(line -> line.startsWith(kind) && line.contains("[1 time(s)"))
                .count(),
            kind + " in " + lines);
      }
      assertEquals(129, lines.size());
    }
  }
}
