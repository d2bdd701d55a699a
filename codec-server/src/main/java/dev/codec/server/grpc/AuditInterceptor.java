package dev.codec.server.grpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import java.io.IOException;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the audit log: JSON lines on the {@code codec.audit} logger (schema: {@code
 * docs/audit.md}).
 *
 * <ul>
 *   <li>{@code "type":"call"}: one line per admitted call (authenticated and allowed), with its
 *       request id, peer address, auth method, token id or certificate serial, caller, RPC,
 *       identifiers and counts read from the request, status, error text and latency. {@code
 *       deployment_id} and {@code grant_id} come from the verified deployment grant only; a call
 *       without one that names a deployment has it as {@code claimed_deployment_id} (unverified).
 *   <li>{@code "type":"refused-summary"}: calls refused by authentication or permission checks, and
 *       calls of grpc's own services (health, reflection) that did not succeed (refused, over a
 *       limit, timed out), are counted per peer, reason, auth method and caller ({@link
 *       RefusedCallSummary}); one line per key with its count every {@code
 *       refused-summary-interval}. A flood of refused calls thus writes a handful of lines and
 *       cannot push real lines out of the log.
 * </ul>
 *
 * Every call gets a request id, returned to the client in the {@value #REQUEST_ID_HEADER} trailer
 * so a caller can quote it. Only identifiers and counts are read from requests (by field name, so
 * new RPCs are covered too): never a value, ciphertext, DEK, KEK or token. The lines are written by
 * a background thread in batches ({@link AuditLineWriter}), never dropped; closing the interceptor
 * (with the application context) writes out the rest, pending summaries included.
 *
 * <p>Over 300 lines: the call lines and the refused-call summaries share one record of the call and
 * one writer; the line writing itself is {@link AuditLineWriter}'s.
 */
public final class AuditInterceptor implements ServerInterceptor, Ordered, AutoCloseable {
  /** Outermost of the codec's interceptors. */
  public static final int ORDER = 100;

  public static final String LOGGER = "codec.audit";

  private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);
  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAX_ID_LENGTH = 128;
  private static final int MAX_ERROR_LENGTH = 256;

  /** Trailer carrying the call's request id (also in its audit line). */
  public static final String REQUEST_ID_HEADER = "codec-request-id";

  static final Metadata.Key<String> REQUEST_ID =
      Metadata.Key.of(REQUEST_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final AuditLineWriter writer = new AuditLineWriter(AUDIT::info);
  private final RefusedCallSummary refused = new RefusedCallSummary();
  private final Duration summaryInterval;
  private final ScheduledExecutorService summaries;

  /** With refused calls summarised every 10 s. */
  public AuditInterceptor() {
    this(Duration.ofSeconds(10));
  }

  /** With refused calls summarised every {@code summaryInterval}. */
  public AuditInterceptor(Duration summaryInterval) {
    this.summaryInterval = summaryInterval;
    this.summaries =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "codec-audit-summary");
              thread.setDaemon(true);
              return thread;
            });
    long millis = Math.max(1, summaryInterval.toMillis());
    var unused =
        summaries.scheduleAtFixedRate(this::writeSummaries, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public int getOrder() {
    return ORDER;
  }

  /**
   * Writes out every audit line of the calls finished so far (lines are written in batches, off the
   * call), and the summaries of the refused calls counted so far (ending their interval early).
   */
  public void flush() {
    writeSummaries();
    writer.flush();
  }

  /**
   * Writes out the queued audit lines and pending summaries and stops the background threads; later
   * lines are written directly.
   */
  @Override
  public void close() {
    summaries.shutdownNow();
    writeSummaries();
    writer.close();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (!AUDIT.isInfoEnabled()) {
      return next.startCall(call, headers);
    }
    String service = call.getMethodDescriptor().getServiceName();
    if (service != null && service.startsWith("grpc.")) {
      return infrastructureCall(call, headers, next);
    }
    long start = System.nanoTime();
    CallRecord record = new CallRecord(newRequestId(), peer(call));
    AtomicBoolean logged = new AtomicBoolean();
    String rpc = call.getMethodDescriptor().getBareMethodName();
    ServerCall<ReqT, RespT> auditing =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            trailers.put(REQUEST_ID, record.requestId);
            if (logged.compareAndSet(false, true)) {
              log(rpc, record, status, System.nanoTime() - start);
            }
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<ReqT> listener =
        Contexts.interceptCall(
            Context.current().withValue(CallRecord.KEY, record), auditing, headers, next);
    return new SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onMessage(ReqT message) {
        if (message instanceof Message proto) {
          describe(proto, record);
        }
        super.onMessage(message);
      }

      @Override
      public void onCancel() {
        if (logged.compareAndSet(false, true)) {
          log(
              rpc,
              record,
              Status.CANCELLED.withDescription("cancelled by the client or the transport"),
              System.nanoTime() - start);
        }
        super.onCancel();
      }
    };
  }

  /**
   * grpc's own services (health, reflection): probes answer every few seconds, so a successful call
   * (or one the client cancels, as it ends a Watch) writes nothing; every other outcome (no or
   * unknown credentials, a request over the method's limit or the budget, the Watch cap, the
   * receive timeout) is counted in the refused-call summaries, so that a flood of them is visible
   * without a line per call.
   */
  private <ReqT, RespT> ServerCall.Listener<ReqT> infrastructureCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    CallRecord record = new CallRecord(newRequestId(), peer(call));
    String rpc = call.getMethodDescriptor().getFullMethodName();
    ServerCall<ReqT, RespT> counting =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            Status.Code code = status.getCode();
            if (code != Status.Code.OK && code != Status.Code.CANCELLED) {
              String reason =
                  record.refusal != null
                      ? record.refusal.label()
                      : code.name().toLowerCase(java.util.Locale.ROOT);
              refused.record(
                  new RefusedCallSummary.Key(
                      record.peer, reason, code.name(), record.authMethod, record.caller),
                  error(status),
                  record.credentialId,
                  rpc);
            }
            super.close(status, trailers);
          }
        };
    return Contexts.interceptCall(
        Context.current().withValue(CallRecord.KEY, record), counting, headers, next);
  }

  /** 16 hex digits: unique enough to find one call in the logs; not a secret. */
  private static String newRequestId() {
    return String.format("%016x", ThreadLocalRandom.current().nextLong());
  }

  /** The peer's IP address (no port), or {@code -} when the transport does not say. */
  private static String peer(ServerCall<?, ?> call) {
    SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    if (address instanceof InetSocketAddress inet) {
      return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
    }
    return address == null ? "-" : address.toString();
  }

  /** Copies identifiers and the entry count (the first map or repeated field) from a request. */
  static void describe(Message request, CallRecord record) {
    DESCRIBERS.get(request.getClass()).describe(request, record);
  }

  private static final ClassValue<RequestDescriber> DESCRIBERS =
      new ClassValue<>() {
        @Override
        protected RequestDescriber computeValue(Class<?> type) {
          return RequestDescriber.of(type);
        }
      };

  /**
   * How to read one request type's identifiers and entry count, worked out once per class. The
   * count comes from the generated {@code get<Field>Count()} accessor: protobuf's reflective {@code
   * getRepeatedFieldCount} would turn a map field into a list of entry messages on every call.
   */
  private record RequestDescriber(
      FieldDescriptor project, FieldDescriptor deployment, Method count) {
    static RequestDescriber of(Class<?> type) {
      Descriptor descriptor;
      try {
        descriptor = (Descriptor) type.getMethod("getDescriptor").invoke(null);
      } catch (ReflectiveOperationException | ClassCastException e) {
        return new RequestDescriber(null, null, null);
      }
      Method count = null;
      for (FieldDescriptor field : descriptor.getFields()) {
        if (field.isRepeated()) {
          String name = field.getJsonName();
          try {
            count =
                type.getMethod(
                    "get" + Character.toUpperCase(name.charAt(0)) + name.substring(1) + "Count");
          } catch (NoSuchMethodException e) {
            count = null;
          }
          break;
        }
      }
      return new RequestDescriber(
          stringField(descriptor, "project_id"), stringField(descriptor, "deployment_id"), count);
    }

    private static FieldDescriptor stringField(Descriptor descriptor, String name) {
      FieldDescriptor field = descriptor.findFieldByName(name);
      return field != null && field.getType() == FieldDescriptor.Type.STRING && !field.isRepeated()
          ? field
          : null;
    }

    void describe(Message request, CallRecord record) {
      if (project != null) {
        record.projectId = (String) request.getField(project);
      }
      if (deployment != null) {
        record.deploymentId = (String) request.getField(deployment);
      }
      int values = 1;
      if (count != null) {
        try {
          values = (Integer) count.invoke(request);
        } catch (ReflectiveOperationException e) {
          values = -1;
        }
      }
      record.values = values;
    }
  }

  private void log(String rpc, CallRecord record, Status status, long nanos) {
    if (record.refusal != null) {
      refused.record(
          new RefusedCallSummary.Key(
              record.peer,
              record.refusal.label(),
              status.getCode().name(),
              record.authMethod,
              record.caller),
          error(status),
          record.credentialId,
          rpc);
      return;
    }
    StringWriter line = new StringWriter(256);
    try (JsonGenerator json = JSON.createGenerator(line)) {
      json.writeStartObject();
      json.writeStringField("type", "call");
      json.writeStringField("time", Instant.now().toString());
      json.writeStringField("request_id", record.requestId);
      json.writeStringField("peer", record.peer);
      writeAuth(json, record.authMethod, record.credentialId);
      json.writeStringField("caller", record.caller);
      json.writeStringField("rpc", rpc);
      json.writeStringField("project_id", truncate(record.projectId));
      CallRecord.VerifiedGrantIds grant = record.grant;
      if (grant != null) {
        // from the verified grant, never from the caller's deployment_id field
        json.writeStringField("deployment_id", grant.deploymentId());
        json.writeStringField("grant_id", grant.grantId());
      } else if (!record.deploymentId.isEmpty()) {
        json.writeStringField("claimed_deployment_id", truncate(record.deploymentId));
      }
      json.writeNumberField("values", record.values);
      json.writeStringField("status", status.getCode().name());
      if (!status.isOk()) {
        json.writeStringField("error", error(status));
      }
      json.writeNumberField("latency_ms", Math.round(nanos / 10_000.0) / 100.0);
      json.writeEndObject();
    } catch (IOException e) {
      return; // a StringWriter does not fail
    }
    writer.submit(line.toString());
  }

  /** {@code auth}, then {@code token_id} or {@code cert_serial} when there is one. */
  private static void writeAuth(JsonGenerator json, String method, String credentialId)
      throws IOException {
    json.writeStringField("auth", method);
    if (!"-".equals(credentialId)) {
      json.writeStringField("mtls".equals(method) ? "cert_serial" : "token_id", credentialId);
    }
  }

  /** Writes one {@code refused-summary} line per key counted since the last time. */
  private void writeSummaries() {
    Instant now = Instant.now();
    for (RefusedCallSummary.Entry entry : refused.drain()) {
      RefusedCallSummary.Key key = entry.key();
      RefusedCallSummary.Count count = entry.count();
      StringWriter line = new StringWriter(320);
      try (JsonGenerator json = JSON.createGenerator(line)) {
        json.writeStartObject();
        json.writeStringField("type", "refused-summary");
        json.writeStringField("time", now.toString());
        json.writeStringField("first", count.first.toString());
        json.writeNumberField("interval_s", summaryInterval.toMillis() / 1000.0);
        json.writeStringField("peer", key.peer());
        json.writeStringField("reason", key.reason());
        json.writeStringField("status", key.status());
        json.writeStringField("auth", key.authMethod());
        json.writeStringField("caller", key.caller());
        json.writeNumberField("count", count.count);
        json.writeStringField("error", count.error);
        json.writeStringField("example_rpc", truncate(count.exampleRpc));
        if (!"-".equals(count.exampleCredential)) {
          json.writeStringField(
              "mtls".equals(key.authMethod()) ? "example_cert_serial" : "example_token_id",
              count.exampleCredential);
        }
        json.writeEndObject();
      } catch (IOException e) {
        continue; // a StringWriter does not fail
      }
      writer.submit(line.toString());
    }
  }

  /** The status description the client got, shortened; or the code when there is none. */
  private static String error(Status status) {
    String description = status.getDescription();
    if (description == null || description.isEmpty()) {
      return status.getCode().name();
    }
    String oneLine = description.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= MAX_ERROR_LENGTH
        ? oneLine
        : oneLine.substring(0, MAX_ERROR_LENGTH) + "...";
  }

  private static String truncate(String id) {
    return id.length() <= MAX_ID_LENGTH ? id : id.substring(0, MAX_ID_LENGTH) + "...";
  }
}
