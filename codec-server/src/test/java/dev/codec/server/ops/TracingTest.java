package dev.codec.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.codec.client.CodecClient;
import dev.codec.client.CodecException;
import dev.codec.client.GeneratedDek;
import dev.codec.server.TestServer;
import dev.codec.server.config.TracingConfiguration;
import dev.codec.server.grpc.AuthInterceptor;
import dev.codec.server.grpc.TracingInterceptor;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Metadata;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.MetadataUtils;
import io.micronaut.context.exceptions.ConfigurationException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * OpenTelemetry tracing against a real server and a real in-process OTLP/HTTP collector ({@link
 * OtlpReceiver}): one SERVER span per RPC, child of the caller's {@code traceparent}, with RPC
 * attributes only.
 */
class TracingTest {
  private static final String PROJECT = "proj-trace-canary-31c9";
  private static final String SECRET_VALUE = "sk_live_trace_canary_77d1";
  private static final String CALLER_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN_ID = "00f067aa0ba902b7";
  private static final long SPAN_KIND_SERVER = 2;

  @TempDir Path kekDir;

  @Test
  void rpcs_exportServerSpans_childrenOfTheCallersTraceparent_withRpcAttributesOnly()
      throws Exception {
    TestServer.writeKek(kekDir, 1);
    try (OtlpReceiver collector = new OtlpReceiver()) {
      TestServer server = TestServer.start(kekDir, tracingTo(collector));
      String wrappedDek;
      Map<String, String> stored;
      try {
        CodecClient client =
            CodecClient.builder().channel(withTraceparent(server.channel())).build();
        GeneratedDek dek = client.generateDek(PROJECT);
        wrappedDek = dek.encryptedDek();
        stored = client.encrypt(PROJECT, wrappedDek, Map.of("API_KEY", SECRET_VALUE));
        assertThrows(CodecException.class, () -> client.generateDek("bad project id!"));
        HealthGrpc.newBlockingStub(server.channel()).check(HealthCheckRequest.getDefaultInstance());
        client.close();
      } finally {
        server.close(); // closing the context flushes the queued spans
      }

      OtlpReceiver.ReceivedSpan encrypt =
          collector.await(s -> s.name().equals("codec.v1.CodecService/Encrypt"), "for Encrypt");
      assertEquals(CALLER_TRACE_ID, encrypt.traceId());
      assertEquals(CALLER_SPAN_ID, encrypt.parentSpanId());
      assertEquals(16, encrypt.spanId().length());
      assertEquals(SPAN_KIND_SERVER, encrypt.kind());
      assertEquals(
          Map.of(
              "rpc.system",
              "grpc",
              "rpc.service",
              "codec.v1.CodecService",
              "rpc.method",
              "Encrypt",
              "rpc.grpc.status_code",
              "0"),
          encrypt.attributes());
      assertEquals("codec", encrypt.resource().get("service.name"));
      OtlpReceiver.ReceivedSpan refused =
          collector.await(
              s ->
                  s.name().endsWith("/GenerateDek")
                      && "3".equals(s.attributes().get("rpc.grpc.status_code")),
              "for the refused GenerateDek");
      assertEquals(CALLER_TRACE_ID, refused.traceId());
      assertEquals(
          0, refused.statusCode()); // INVALID_ARGUMENT is the caller's error, not the server's
      assertTrue(
          collector.spans().stream().noneMatch(s -> s.name().startsWith("grpc.health")),
          collector.spans().toString());
      String exported = collector.rawText();
      for (String secret :
          new String[] {
            PROJECT,
            "bad project id",
            SECRET_VALUE,
            wrappedDek,
            stored.get("API_KEY"),
            server.token(),
            "API_KEY"
          }) {
        assertFalse(exported.contains(secret), "a span exports " + secret);
      }
    }
  }

  @Test
  void refusedCall_withoutTraceparent_startsItsOwnTrace_andIdsAreInTheLogMdc() throws Exception {
    TestServer.writeKek(kekDir, 1);
    Logger auth = (Logger) LoggerFactory.getLogger(AuthInterceptor.class);
    ListAppender<ILoggingEvent> events = new ListAppender<>();
    events.start();
    Level before = auth.getLevel();
    auth.setLevel(Level.DEBUG);
    auth.addAppender(events);
    try (OtlpReceiver collector = new OtlpReceiver()) {
      TestServer server = TestServer.start(kekDir, tracingTo(collector));
      try {
        CodecClient anonymous =
            CodecClient.builder().channel(server.unauthenticatedChannel()).build();
        assertThrows(CodecException.class, () -> anonymous.generateDek(PROJECT));
      } finally {
        server.close();
      }

      OtlpReceiver.ReceivedSpan span =
          collector.await(s -> s.name().endsWith("/GenerateDek"), "GenerateDek");
      assertEquals("16", span.attributes().get("rpc.grpc.status_code")); // UNAUTHENTICATED
      assertEquals("", span.parentSpanId()); // a root span: no caller context
      assertEquals(32, span.traceId().length());
      List<ILoggingEvent> refusals =
          events.list.stream().filter(e -> e.getFormattedMessage().startsWith("Refused")).toList();
      assertFalse(refusals.isEmpty(), events.list.toString());
      assertEquals(
          span.traceId(), refusals.get(0).getMDCPropertyMap().get(TracingInterceptor.MDC_TRACE_ID));
      assertEquals(
          span.spanId(), refusals.get(0).getMDCPropertyMap().get(TracingInterceptor.MDC_SPAN_ID));
    } finally {
      auth.detachAppender(events);
      auth.setLevel(before);
    }
  }

  @Test
  void serverSpan_endsOnce_withErrorStatusForServerSideCodesOnly() {
    List<io.opentelemetry.sdk.trace.data.SpanData> ended =
        new java.util.concurrent.CopyOnWriteArrayList<>();
    io.opentelemetry.sdk.trace.SdkTracerProvider provider =
        io.opentelemetry.sdk.trace.SdkTracerProvider.builder()
            .addSpanProcessor(
                new io.opentelemetry.sdk.trace.SpanProcessor() {
                  @Override
                  public void onStart(
                      io.opentelemetry.context.Context parent,
                      io.opentelemetry.sdk.trace.ReadWriteSpan span) {}

                  @Override
                  public boolean isStartRequired() {
                    return false;
                  }

                  @Override
                  public void onEnd(io.opentelemetry.sdk.trace.ReadableSpan span) {
                    ended.add(span.toSpanData());
                  }

                  @Override
                  public boolean isEndRequired() {
                    return true;
                  }
                })
            .build();
    io.opentelemetry.api.trace.Tracer tracer = provider.get("test");
    java.util.concurrent.atomic.AtomicBoolean once =
        new java.util.concurrent.atomic.AtomicBoolean();
    io.opentelemetry.api.trace.Span internal = tracer.spanBuilder("internal").startSpan();
    TracingInterceptor.end(internal, once, io.grpc.Status.Code.INTERNAL);
    TracingInterceptor.end(
        internal, once, io.grpc.Status.Code.CANCELLED); // a later cancel: no second end
    TracingInterceptor.end(
        tracer.spanBuilder("refused").startSpan(),
        new java.util.concurrent.atomic.AtomicBoolean(),
        io.grpc.Status.Code.PERMISSION_DENIED);
    provider.close();

    assertEquals(2, ended.size(), ended.toString());
    assertEquals(
        io.opentelemetry.api.trace.StatusCode.ERROR, ended.get(0).getStatus().getStatusCode());
    assertEquals("INTERNAL", ended.get(0).getStatus().getDescription());
    assertEquals(13L, ended.get(0).getAttributes().get(TracingInterceptor.RPC_STATUS));
    assertEquals(
        io.opentelemetry.api.trace.StatusCode.UNSET, ended.get(1).getStatus().getStatusCode());
    assertEquals(7L, ended.get(1).getAttributes().get(TracingInterceptor.RPC_STATUS));
  }

  @Test
  void tracingOff_byDefault_noTracerNoInterceptor() throws Exception {
    TestServer.writeKek(kekDir, 1);
    TestServer server = TestServer.start(kekDir);
    try {
      assertFalse(server.context().getBean(TracingConfiguration.class).enabled());
      assertTrue(server.context().findBean(TracingInterceptor.class).isEmpty());
      server.client().generateDek(PROJECT);
    } finally {
      server.close();
    }
  }

  @Test
  void endpoint_mustBeHttpUrl_withoutCredentials_andRatioInRange() {
    TracingConfiguration tracing = tracing("ftp://collector:4318/v1/traces", 1.0);
    assertTrue(
        assertThrows(ConfigurationException.class, tracing::validatedEndpoint)
            .getMessage()
            .contains("codec.tracing.endpoint"));
    ConfigurationException credentials =
        assertThrows(
            ConfigurationException.class,
            tracing("http://user:s3cret@collector:4318/v1/traces", 1.0)::validatedEndpoint);
    assertFalse(credentials.getMessage().contains("s3cret"), credentials.getMessage());
    assertEquals(
        4318,
        tracing("https://collector.observability:4318/v1/traces", 1.0)
            .validatedEndpoint()
            .getPort());
    assertTrue(
        assertThrows(
                ConfigurationException.class,
                tracing("https://collector.observability:4318/v1/traces", 1.5)::validatedEndpoint)
            .getMessage()
            .contains("codec.tracing.sample-ratio"));
  }

  private static TracingConfiguration tracing(String endpoint, double sampleRatio) {
    return new TracingConfiguration(
        true, endpoint, sampleRatio, java.time.Duration.ofSeconds(10), 2048, "codec");
  }

  @Test
  void badEndpoint_failsStartup_namingTheSetting() throws Exception {
    TestServer.writeKek(kekDir, 1);
    Exception failure =
        assertThrows(
            Exception.class,
            () ->
                TestServer.start(
                        kekDir,
                        Map.of(
                            "codec.tracing.enabled",
                            true,
                            "codec.tracing.endpoint",
                            "collector:4318"))
                    .close());
    Throwable cause = failure;
    while (cause.getCause() != null && !(cause instanceof ConfigurationException)) {
      cause = cause.getCause();
    }
    assertTrue(
        String.valueOf(cause.getMessage()).contains("codec.tracing.endpoint"), failure.toString());
  }

  private static Map<String, Object> tracingTo(OtlpReceiver collector) {
    return Map.of("codec.tracing.enabled", true, "codec.tracing.endpoint", collector.endpoint());
  }

  private static Channel withTraceparent(Channel channel) {
    Metadata headers = new Metadata();
    headers.put(
        Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
        "00-" + CALLER_TRACE_ID + "-" + CALLER_SPAN_ID + "-01");
    return ClientInterceptors.intercept(
        channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
