package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The audit line writer: batches off the call, never drops, never waits forever. */
class AuditLineWriterTest {
  private static final long HOUR_MILLIS = TimeUnit.HOURS.toMillis(1);

  private final List<String> written = new CopyOnWriteArrayList<>();

  @Test
  void flush_writesEveryQueuedLine_inOrder() {
    try (AuditLineWriter writer = new AuditLineWriter(written::add, HOUR_MILLIS, 1_000, 1_000)) {
      IntStream.range(0, 100).forEach(i -> writer.submit("line-" + i));
      assertEquals(List.of(), written); // nothing written on the submitting thread
      writer.flush();
      assertEquals(IntStream.range(0, 100).mapToObj(i -> "line-" + i).toList(), written);
    }
  }

  @Test
  void writerThread_writesQueuedLines_withoutAFlush() throws InterruptedException {
    CountDownLatch all = new CountDownLatch(3);
    try (AuditLineWriter writer =
        new AuditLineWriter(
            line -> {
              written.add(line + " by " + Thread.currentThread().getName());
              all.countDown();
            },
            10,
            1_000,
            1_000)) {
      writer.submit("a");
      writer.submit("b");
      writer.submit("c");
      assertTrue(all.await(30, TimeUnit.SECONDS), written.toString());
    }
    assertEquals(
        List.of("a by codec-audit-writer", "b by codec-audit-writer", "c by codec-audit-writer"),
        written);
  }

  @Test
  void manyWaitingLines_wakeTheWriter_beforeItsPeriod() throws InterruptedException {
    CountDownLatch two = new CountDownLatch(2);
    try (AuditLineWriter writer =
        new AuditLineWriter(
            line -> {
              written.add(line);
              two.countDown();
            },
            HOUR_MILLIS,
            2,
            1_000)) {
      writer.submit("first");
      writer.submit("second"); // the second waiting line wakes the writer: no hour-long wait
      assertTrue(two.await(30, TimeUnit.SECONDS), written.toString());
    }
    assertEquals(List.of("first", "second"), written);
  }

  @Test
  void fullQueue_writesTheLineOnTheCallingThread_neverDrops() {
    try (AuditLineWriter writer = new AuditLineWriter(written::add, HOUR_MILLIS, 1_000, 3)) {
      for (int i = 0; i < 5; i++) {
        writer.submit("line-" + i);
      }
      assertEquals(List.of("line-3", "line-4"), written); // over the limit: written at once
      writer.flush();
      assertEquals(List.of("line-3", "line-4", "line-0", "line-1", "line-2"), written);
    }
  }

  @Test
  void close_writesOutTheQueue_andLaterLinesAreWrittenDirectly() {
    AuditLineWriter writer = new AuditLineWriter(written::add, HOUR_MILLIS, 1_000, 1_000);
    writer.submit("queued-1");
    writer.submit("queued-2");
    writer.close();
    assertEquals(List.of("queued-1", "queued-2"), written);
    writer.submit("after-close");
    assertEquals(List.of("queued-1", "queued-2", "after-close"), written);
  }

  @Test
  void failingOutput_doesNotStopTheOtherLines() {
    try (AuditLineWriter writer =
        new AuditLineWriter(
            line -> {
              if (line.equals("bad")) {
                throw new IllegalStateException("appender failed");
              }
              written.add(line);
            },
            HOUR_MILLIS,
            1_000,
            1_000)) {
      writer.submit("before");
      writer.submit("bad");
      writer.submit("after");
      writer.flush();
    }
    assertEquals(List.of("before", "after"), written);
  }
}
