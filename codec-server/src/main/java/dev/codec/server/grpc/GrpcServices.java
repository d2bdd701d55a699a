package dev.codec.server.grpc;

import dev.codec.server.auth.CallerTokens;
import dev.codec.server.auth.Permission;
import dev.codec.server.auth.RefusalReason;
import dev.codec.server.auth.SpiffeId;
import dev.codec.server.config.AuditConfiguration;
import dev.codec.server.config.AuthConfiguration;
import dev.codec.server.config.CallerConfiguration;
import dev.codec.server.core.CodecService;
import dev.codec.server.core.GrantService;
import dev.codec.server.core.KeyLifecycle;
import dev.codec.server.ops.CodecMetrics;
import io.grpc.ServerServiceDefinition;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.exceptions.ConfigurationException;
import jakarta.inject.Singleton;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gRPC services and interceptors of the codec server. (Caller tokens and TLS material are
 * loaded and re-read by {@code wiring.SecretWiring}.)
 */
@Factory
public class GrpcServices {
  private static final Logger LOG = LoggerFactory.getLogger(GrpcServices.class);

  /** The codec service, with strict request parsing (unparseable requests are INVALID_ARGUMENT). */
  @Singleton
  public ServerServiceDefinition codecService(
      CodecService codec, GrantService grants, KeyLifecycle keys) {
    return StrictRequestParsing.apply(new CodecEndpoint(codec, grants, keys).definition());
  }

  /**
   * Closed with the context, after the drain on SIGTERM: writes out the audit lines still queued.
   */
  @Singleton
  @Bean(preDestroy = "close")
  public AuditInterceptor auditInterceptor(AuditConfiguration audit) {
    return new AuditInterceptor(audit.refusedSummaryInterval());
  }

  @Singleton
  public AuthInterceptor authInterceptor(
      AuthConfiguration auth,
      CallerTokens tokens,
      List<CallerConfiguration> callers,
      AuthFailures failures) {
    if (!auth.enabled()) {
      LOG.warn(
          "!!! AUTHENTICATION IS DISABLED (codec.auth.enabled=false): every caller may do everything,"
              + " including exporting DEKs. For local development only: never run like this in a cluster. !!!");
      return new AuthInterceptor(null, failures);
    }
    Map<String, Set<Permission>> permissions = new HashMap<>();
    Map<String, String> byCertificateName = new HashMap<>();
    for (CallerConfiguration caller : callers) {
      permissions.put(caller.name(), parsedPermissions(caller));
      for (String identity : caller.certificateNames()) {
        if (SpiffeId.claims(identity) && !SpiffeId.isValid(identity)) {
          throw new ConfigurationException(
              "codec.auth.callers."
                  + caller.name()
                  + ".certificate-names: '"
                  + identity
                  + "' is not a valid SPIFFE ID"
                  + " (spiffe://trust-domain/path, lowercase trust domain, no empty or dot segments)");
        }
        String other = byCertificateName.put(identity, caller.name());
        if (other != null && !other.equals(caller.name())) {
          throw new ConfigurationException(
              "codec.auth.callers: certificate name '"
                  + identity
                  + "' is configured for two callers, '"
                  + other
                  + "' and '"
                  + caller.name()
                  + "': each certificate name must name one caller");
        }
      }
    }
    LOG.info("Authentication on; permissions {}", permissions);
    if (tokens.size() == 0) {
      LOG.warn(
          "No caller tokens loaded from {}: calls with a bearer token will be refused (UNAUTHENTICATED)",
          auth.tokensDir());
    }
    return new AuthInterceptor(new Authenticator(tokens, permissions, byCertificateName), failures);
  }

  /** Receives the reason of every refused call; metrics count them. */
  @Singleton
  public AuthFailures authFailures(CodecMetrics metrics) {
    return metrics::authFailure;
  }

  /** Listener for refused calls by reason . */
  @FunctionalInterface
  public interface AuthFailures extends Consumer<RefusalReason> {}

  /**
   * The parsed permissions of one caller; an unknown name fails startup with a message naming it
   * and the caller.
   */
  static Set<Permission> parsedPermissions(CallerConfiguration caller) {
    Set<Permission> parsed = EnumSet.noneOf(Permission.class);
    for (String permission : caller.permissions()) {
      try {
        parsed.add(Permission.fromConfigName(permission));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "codec.auth.callers." + caller.name() + ".permissions: " + e.getMessage());
      }
    }
    return parsed;
  }
}
