package dev.codec.server.config;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import java.time.Duration;

/**
 * Server TLS from PEM files, e.g. issued by cert-manager: {@code codec.tls.*}. Files are re-read every
 * {@code reload-interval}, so renewed certificates are used without a restart.
 */
@ConfigurationProperties("codec.tls")
public class TlsConfiguration {
    /** Whether clients must present a certificate when a client CA is set. */
    public enum ClientAuth {
        /** Verify a client certificate if one is sent; callers may still use tokens. */
        OPTIONAL,
        /** Refuse connections without a certificate signed by the client CA. */
        REQUIRE
    }

    @Nullable
    private String cert;
    @Nullable
    private String key;
    @Nullable
    private String clientCa;
    private ClientAuth clientAuth = ClientAuth.OPTIONAL;
    private Duration reloadInterval = Duration.ofMinutes(1);

    /** PEM certificate chain of the server (env CODEC_TLS_CERT). TLS is on when this is set. */
    @Nullable
    public String getCert() {
        return cert;
    }

    public void setCert(@Nullable String cert) {
        this.cert = cert;
    }

    /** PEM private key of the server (env CODEC_TLS_KEY). */
    @Nullable
    public String getKey() {
        return key;
    }

    public void setKey(@Nullable String key) {
        this.key = key;
    }

    /** PEM CA bundle that signs client certificates (env CODEC_TLS_CLIENT_CA): enables mTLS. */
    @Nullable
    public String getClientCa() {
        return clientCa;
    }

    public void setClientCa(@Nullable String clientCa) {
        this.clientCa = clientCa;
    }

    /** With a client CA: optional (default) or require. */
    public ClientAuth getClientAuth() {
        return clientAuth;
    }

    public void setClientAuth(ClientAuth clientAuth) {
        this.clientAuth = clientAuth;
    }

    /** How often the PEM files are re-read. Default 1m. */
    public Duration getReloadInterval() {
        return reloadInterval;
    }

    public void setReloadInterval(Duration reloadInterval) {
        this.reloadInterval = reloadInterval;
    }

    public boolean isEnabled() {
        return cert != null && !cert.isBlank();
    }

    @Override
    public String toString() {
        return "TlsConfiguration[cert=" + cert + ", key=" + (key == null ? null : "(path set)") + ", clientCa="
                + clientCa + ", clientAuth=" + clientAuth + "]";
    }
}
