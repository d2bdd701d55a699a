package dev.codec.server.grpc;

import dev.codec.server.auth.Caller;
import dev.codec.server.auth.CallerTokens;
import dev.codec.server.auth.Permission;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Finds out who is calling: a bearer token ({@code authorization: Bearer <token>}) if one is sent,
 * otherwise a client certificate verified by the TLS layer whose identity (a SAN DNS or URI name, or
 * the subject CN) is configured for a caller.
 */
final class Authenticator {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "bearer ";

    /** Why authentication failed: also the metrics reason label, a fixed word. */
    enum Failure {
        MISSING_CREDENTIALS("missing_credentials", "send 'authorization: Bearer <token>' or a client certificate"),
        MALFORMED_HEADER("malformed_header", "the authorization header must be 'Bearer <token>'"),
        UNKNOWN_TOKEN("unknown_token", "the token is not known"),
        UNKNOWN_CERTIFICATE("unknown_certificate", "the client certificate names no configured caller");

        final String reason;
        final String message;

        Failure(String reason, String message) {
            this.reason = reason;
            this.message = message;
        }
    }

    /** The caller, or why there is none. */
    record Result(Caller caller, Failure failure) {}

    private final CallerTokens tokens;
    private final Map<String, Set<Permission>> permissions;
    private final Map<String, String> callersByCertificateName;

    /**
     * @param permissions permissions by caller name
     * @param callersByCertificateName caller name by certificate identity
     */
    Authenticator(CallerTokens tokens, Map<String, Set<Permission>> permissions,
            Map<String, String> callersByCertificateName) {
        this.tokens = tokens;
        this.permissions = Map.copyOf(permissions);
        this.callersByCertificateName = Map.copyOf(callersByCertificateName);
    }

    Result authenticate(Metadata headers, Attributes transport) {
        String authorization = headers.get(AUTHORIZATION);
        if (authorization != null) {
            if (authorization.length() <= BEARER.length()
                    || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
                return new Result(null, Failure.MALFORMED_HEADER);
            }
            Optional<String> name = tokens.callerOf(authorization.substring(BEARER.length()).trim());
            return name.map(n -> new Result(caller(n, "token"), null))
                    .orElseGet(() -> new Result(null, Failure.UNKNOWN_TOKEN));
        }
        List<String> identities = certificateIdentities(transport.get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
        if (identities.isEmpty()) {
            return new Result(null, Failure.MISSING_CREDENTIALS);
        }
        for (String identity : identities) {
            String name = callersByCertificateName.get(identity);
            if (name != null) {
                return new Result(caller(name, "certificate"), null);
            }
        }
        return new Result(null, Failure.UNKNOWN_CERTIFICATE);
    }

    private Caller caller(String name, String method) {
        return new Caller(name, permissions.getOrDefault(name, Set.of()), method);
    }

    /** SAN DNS and URI names, then the subject CN, of a verified client certificate. */
    static List<String> certificateIdentities(SSLSession session) {
        List<String> identities = new ArrayList<>();
        if (session == null) {
            return identities;
        }
        Certificate[] chain;
        try {
            chain = session.getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return identities;
        }
        if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
            return identities;
        }
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    int type = (Integer) san.get(0);
                    if (type == 2 || type == 6) { // dNSName, uniformResourceIdentifier
                        identities.add(String.valueOf(san.get(1)));
                    }
                }
            }
        } catch (CertificateParsingException e) {
            // no usable SANs: fall back to the CN
        }
        try {
            for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    identities.add(String.valueOf(rdn.getValue()));
                }
            }
        } catch (InvalidNameException e) {
            // no CN
        }
        return identities;
    }
}
