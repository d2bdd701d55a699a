package dev.codec.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.TlsChannelCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Builds the channel of a {@link CodecClient}: credentials (TLS material reloaded from its files
 * with grpc-java's AdvancedTls managers), load balancing, retries and their throttling, keepalive,
 * name re-resolution, user agent.
 *
 * <p>The transport is whichever gRPC transport is on the class path ({@link
 * Grpc#newChannelBuilder}): grpc-netty-shaded by default (a runtime dependency of codec-client), or
 * grpc-okhttp when a runner excludes Netty (codec-cli does). Nothing here names a transport.
 */
final class CodecChannels {
  static final String SERVICE = "codec.v1.CodecService";

  /**
   * The largest request the server accepts by default ({@code
   * codec.transport.max-inbound-message-size}, 4 MiB). Keep equal to the server's documented
   * default.
   */
  public static final int SERVER_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

  /**
   * How much of one call's request gRPC keeps for a retry: the largest request plus room for
   * framing, so that a call of any size the server accepts is retried on UNAVAILABLE (grpc-java's
   * default, 1 MiB, silently made larger calls unretryable).
   */
  static final long PER_CALL_RETRY_BUFFER_BYTES = SERVER_MAX_REQUEST_BYTES + 64 * 1024;

  /**
   * How much request data all calls of one channel may keep for retries together: 16 maximal calls.
   * Beyond it further calls run without a retry buffer (they are then not retried).
   */
  static final long RETRY_BUFFER_BYTES = 16 * PER_CALL_RETRY_BUFFER_BYTES;

  /**
   * grpc-java's DNS resolver refuses to resolve again within {@code networkaddress.cache.ttl}
   * seconds (a system property it reads, default 30) of its last lookup, even after a connection
   * failed or a server sent GOAWAY: during a rolling update that left clients with only dead
   * addresses for up to 30 s. It resolves only when a connection fails or a GOAWAY arrives, so no
   * limit ({@code 0}) costs nothing while servers are healthy. Set when the property is not set
   * already.
   */
  static final String GRPC_DNS_CACHE_TTL_PROPERTY = "networkaddress.cache.ttl";

  static final String GRPC_DNS_CACHE_TTL_SECONDS = "0";

  /**
   * gRPC's retryThrottling: a channel-wide bucket of 10 tokens; a failed attempt takes one, a
   * successful call gives back 0.1, and retries stop while half or fewer are left, that is while
   * more than about one call in ten fails. A service that is down for everyone then gets each call
   * once, not {@code maxAttempts} times.
   */
  static final int THROTTLE_MAX_TOKENS = 10;

  static final double THROTTLE_TOKEN_RATIO = 0.1;

  private CodecChannels() {}

  /** A channel the client built, and what watches its TLS files; closing closes both. */
  record Owned(
      ManagedChannel channel, List<Closeable> tlsWatches, ScheduledExecutorService tlsReloads) {
    void close() {
      channel.shutdown();
      try {
        if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
          channel.shutdownNow();
        }
      } catch (InterruptedException e) {
        channel.shutdownNow();
        Thread.currentThread().interrupt();
      } finally {
        for (Closeable watch : tlsWatches) {
          try {
            watch.close();
          } catch (IOException ignored) {
            // AdvancedTls watches only cancel a scheduled task
          }
        }
        if (tlsReloads != null) {
          tlsReloads.shutdownNow();
        }
      }
    }
  }

  static Owned create(CodecClient.Builder builder) {
    if (System.getProperty(GRPC_DNS_CACHE_TTL_PROPERTY) == null) {
      System.setProperty(GRPC_DNS_CACHE_TTL_PROPERTY, GRPC_DNS_CACHE_TTL_SECONDS);
    }
    List<Closeable> watches = new ArrayList<>();
    boolean tls = builder.trustCertificates != null || builder.clientCertificate != null;
    ScheduledExecutorService reloads =
        tls
            ? Executors.newSingleThreadScheduledExecutor(
                runnable -> {
                  Thread thread = new Thread(runnable, "codec-client-tls-reload");
                  thread.setDaemon(true);
                  return thread;
                })
            : null;
    ChannelCredentials credentials;
    try {
      credentials =
          tls ? tlsCredentials(builder, watches, reloads) : InsecureChannelCredentials.create();
    } catch (RuntimeException e) {
      watches.forEach(
          w -> {
            try {
              w.close();
            } catch (IOException ignored) {
              // only cancels a scheduled task
            }
          });
      if (reloads != null) {
        reloads.shutdownNow();
      }
      throw e;
    }
    ManagedChannelBuilder<?> channel =
        Grpc.newChannelBuilder(builder.target, credentials)
            .defaultServiceConfig(serviceConfig(builder.maxAttempts))
            .disableServiceConfigLookUp() // DNS TXT records must not replace the policy above
            .enableRetry()
            .maxRetryAttempts(builder.maxAttempts)
            .perRpcBufferLimit(PER_CALL_RETRY_BUFFER_BYTES)
            .retryBufferSize(RETRY_BUFFER_BYTES)
            .keepAliveTime(builder.keepAlive.toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(20, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(
                false); // the server refuses pings on idle connections (codec.transport)
    if (builder.authority != null) {
      channel.overrideAuthority(builder.authority);
    }
    if (builder.userAgent != null) {
      channel.userAgent(builder.userAgent);
    }
    return new Owned(channel.build(), List.copyOf(watches), reloads);
  }

  /**
   * The gRPC service config: round_robin over all resolved addresses, for every method of {@value
   * #SERVICE} a retry on UNAVAILABLE (see {@link CodecClient} for why that is safe), and the
   * channel's retry throttling. Numbers are doubles, as gRPC's JSON-shaped service config requires.
   */
  static Map<String, Object> serviceConfig(int maxAttempts) {
    Map<String, Object> retryPolicy =
        Map.of(
            "maxAttempts",
            (double) maxAttempts,
            "initialBackoff",
            "0.1s",
            "maxBackoff",
            "1s",
            "backoffMultiplier",
            2.0,
            "retryableStatusCodes",
            List.of("UNAVAILABLE"));
    Map<String, Object> methodConfig =
        maxAttempts == 1
            ? Map.of("name", List.of(Map.of("service", SERVICE)))
            : Map.of("name", List.of(Map.of("service", SERVICE)), "retryPolicy", retryPolicy);
    return Map.of(
        "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
        "methodConfig", List.of(methodConfig),
        "retryThrottling",
            Map.of("maxTokens", (double) THROTTLE_MAX_TOKENS, "tokenRatio", THROTTLE_TOKEN_RATIO));
  }

  /**
   * TLS credentials whose CA and client certificate are read now and again whenever their files
   * change (checked every {@code tlsReloadInterval} by {@link TlsFileWatch} into grpc-java's
   * AdvancedTls managers, the ones the server uses): a renewed cert-manager certificate is used by
   * the next handshake. The trust manager verifies the server's certificate and host name like the
   * JDK's default one does; without {@code trustCertificates} it is the JDK's default one.
   *
   * <p>TLS session resumption is off: a resumed session skips certificates, so a new connection
   * would carry on with the old client certificate (and the old server verification) long after the
   * files were renewed. Our connections live for minutes (the server's max connection age), so a
   * full handshake each costs nothing measurable. {@link TlsChannelCredentials} has no switch for
   * it, and the transport builds the TLS context itself, so the trust manager does it ({@link
   * NoResumptionTrustManager}: every session it verifies is invalidated, so no transport caches or
   * offers it again).
   */
  private static ChannelCredentials tlsCredentials(
      CodecClient.Builder builder, List<Closeable> watches, ScheduledExecutorService reloads) {
    TlsChannelCredentials.Builder tls = TlsChannelCredentials.newBuilder();
    long period = builder.tlsReloadInterval.toMillis();
    Path current = builder.trustCertificates;
    try {
      X509ExtendedTrustManager trust;
      if (builder.trustCertificates != null) {
        AdvancedTlsX509TrustManager reloaded =
            AdvancedTlsX509TrustManager.newBuilder()
                .setVerification(
                    AdvancedTlsX509TrustManager.Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION)
                .build();
        watches.add(
            TlsFileWatch.start(
                List.of(builder.trustCertificates),
                TlsFileWatch.trust(reloaded, builder.trustCertificates),
                period,
                reloads));
        trust = reloaded;
      } else {
        trust = NoResumptionTrustManager.systemDefault();
      }
      tls.trustManager(new NoResumptionTrustManager(trust));
      if (builder.clientCertificate != null) {
        current = builder.clientCertificate[0];
        AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
        watches.add(
            TlsFileWatch.start(
                List.of(builder.clientCertificate[0], builder.clientCertificate[1]),
                TlsFileWatch.identity(
                    keys, builder.clientCertificate[0], builder.clientCertificate[1]),
                period,
                reloads));
        tls.keyManager(keys);
      }
      current = null;
      return tls.build();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(
          current == null
              ? "cannot set up TLS (" + e.getClass().getSimpleName() + ")"
              : "cannot read TLS file " + current + " (" + e.getClass().getSimpleName() + ")",
          e);
    }
  }
}
