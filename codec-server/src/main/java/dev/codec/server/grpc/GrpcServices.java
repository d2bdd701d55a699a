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
import io.micronaut.scheduling.annotation.Scheduled;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The gRPC services and interceptors of the codec server. */
@Factory
public class GrpcServices {
    private static final Logger LOG = LoggerFactory.getLogger(GrpcServices.class);

    /** The codec service, with strict request parsing (unparseable requests are INVALID_ARGUMENT). */
    @Singleton
    public ServerServiceDefinition codecService(CodecService codec, GrantService grants, KeyLifecycle keys) {
        return StrictRequestParsing.apply(new CodecEndpoint(codec, grants, keys).bindService());
    }

    /** Closed with the context, after the drain on SIGTERM: writes out the audit lines still queued. */
    @Singleton
    @Bean(preDestroy = "close")
    public AuditInterceptor auditInterceptor(AuditConfiguration audit) {
        return new AuditInterceptor(audit.getRefusedSummaryInterval());
    }

    @Singleton
    public CallerTokens callerTokens(AuthConfiguration auth) {
        return new CallerTokens(Path.of(auth.getTokensDir()));
    }

    @Singleton
    public AuthInterceptor authInterceptor(AuthConfiguration auth, CallerTokens tokens, List<CallerConfiguration> callers,
            AuthFailures failures) {
        if (!auth.isEnabled()) {
            LOG.warn("!!! AUTHENTICATION IS DISABLED (codec.auth.enabled=false): every caller may do everything,"
                    + " including exporting DEKs. For local development only: never run like this in a cluster. !!!");
            return new AuthInterceptor(null, failures);
        }
        Map<String, Set<Permission>> permissions = new HashMap<>();
        Map<String, String> byCertificateName = new HashMap<>();
        for (CallerConfiguration caller : callers) {
            permissions.put(caller.getName(), caller.parsedPermissions());
            for (String identity : caller.getCertificateNames()) {
                if (SpiffeId.claims(identity) && !SpiffeId.isValid(identity)) {
                    throw new ConfigurationException("codec.auth.callers." + caller.getName()
                            + ".certificate-names: '" + identity + "' is not a valid SPIFFE ID"
                            + " (spiffe://trust-domain/path, lowercase trust domain, no empty or dot segments)");
                }
                String other = byCertificateName.put(identity, caller.getName());
                if (other != null && !other.equals(caller.getName())) {
                    throw new ConfigurationException("codec.auth.callers: certificate name '" + identity
                            + "' is configured for two callers, '" + other + "' and '" + caller.getName()
                            + "': each certificate name must name one caller");
                }
            }
        }
        LOG.info("Authentication on: {}; permissions {}", tokens.reload(), permissions);
        if (tokens.size() == 0) {
            LOG.warn("No caller tokens loaded from {}: calls with a bearer token will be refused (UNAUTHENTICATED)",
                    auth.getTokensDir());
        }
        return new AuthInterceptor(new Authenticator(tokens, permissions, byCertificateName), failures);
    }

    /** Receives the reason of every refused call; metrics count them. */
    @Singleton
    public AuthFailures authFailures(CodecMetrics metrics) {
        return metrics::authFailure;
    }

    /** Runs periodic re-reads (TLS files). Daemon threads, stopped with the application. */
    @Singleton
    @Named("codec-reloads")
    @Bean(preDestroy = "shutdownNow")
    public ScheduledExecutorService reloads() {
        return Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "codec-reloads");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Listener for refused calls, by reason. */
    @FunctionalInterface
    public interface AuthFailures extends Consumer<RefusalReason> {}

    /** Re-reads the caller token directory (token rotation without a restart). */
    @Singleton
    public static class TokenReloader {
        private final AuthConfiguration auth;
        private final CallerTokens tokens;
        private volatile String last;

        public TokenReloader(AuthConfiguration auth, CallerTokens tokens) {
            this.auth = auth;
            this.tokens = tokens;
        }

        @Scheduled(fixedDelay = "${codec.auth.reload-interval:10s}", initialDelay = "${codec.auth.reload-interval:10s}")
        void reload() {
            if (!auth.isEnabled()) {
                return;
            }
            String summary = tokens.reload();
            if (!summary.equals(last)) {
                last = summary;
                LOG.info("Caller tokens: {}", summary);
            }
        }
    }
}
