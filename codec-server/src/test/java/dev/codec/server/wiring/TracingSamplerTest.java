package dev.codec.server.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A caller's trace flags cannot make the server export more than its sample ratio allows. */
class TracingSamplerTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

  private static SamplingDecision decide(Sampler sampler, TraceFlags callerFlags) {
    SpanContext remote =
        SpanContext.createFromRemoteParent(
            TRACE_ID, "00f067aa0ba902b7", callerFlags, TraceState.getDefault());
    Context parent = Context.root().with(Span.wrap(remote));
    return sampler
        .shouldSample(
            parent,
            TRACE_ID,
            "codec.v1.CodecService/Encrypt",
            SpanKind.SERVER,
            Attributes.empty(),
            List.of())
        .getDecision();
  }

  @Test
  void callerMarkedSampled_cannotRaiseARatioOfZero() {
    assertEquals(SamplingDecision.DROP, decide(TracingFactory.sampler(0), TraceFlags.getSampled()));
  }

  @Test
  void callerMarkedSampled_isSampled_whenTheRatioTakesItsTraceId() {
    assertEquals(
        SamplingDecision.RECORD_AND_SAMPLE,
        decide(TracingFactory.sampler(1), TraceFlags.getSampled()));
  }

  @Test
  void callerMarkedNotSampled_isHonoured_evenWithARatioOfOne() {
    assertEquals(SamplingDecision.DROP, decide(TracingFactory.sampler(1), TraceFlags.getDefault()));
  }
}
