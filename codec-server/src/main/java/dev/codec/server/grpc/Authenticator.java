package dev.codec.server.grpc;

import dev.codec.server.auth.Caller;
import dev.codec.server.auth.CallerTokens;
import dev.codec.server.auth.Permission;
import dev.codec.server.auth.RefusalReason;
import dev.codec.server.auth.SpiffeId;
import dev.codec.server.auth.TokenId;
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
import java.util.TreeSet;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Finds out who is calling: a bearer token ({@code authorization: Bearer <token>}) if one is sent,
 * otherwise a client certificate verified by the TLS layer.
 *
 * <p>Certificate identity, strictly: when the leaf certificate has a subjectAltName extension, only
 * its DNS and URI names count and the subject CN is ignored (RFC 6125); only a certificate without
 * SANs is named by its CN(s). Names are compared exactly (case-sensitive, whole string). A URI SAN
 * that starts with {@code spiffe:} must be a valid SPIFFE ID ({@link SpiffeId}) or it names nobody.
 * A certificate whose names map to two different callers is refused ({@code
 * ambiguous_certificate}), as is one whose SAN extension cannot be parsed.
 */
final class Authenticator {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  /**
   * The caller, or why there is none.
   *
   * @param method {@code token}, {@code mtls} or {@code none}: the credential that was tried
   * @param credentialId the token id or certificate serial that was tried, or {@code -}
   */
  record Result(Caller caller, RefusalReason failure, String method, String credentialId) {
    static Result of(Caller caller) {
      return new Result(caller, null, caller.method(), caller.credentialId());
    }
  }

  /** A verified client certificate's names (SANs, or CNs without SANs) and serial number (hex). */
  record CertificateIdentity(List<String> names, String serial) {}

  private final CallerTokens tokens;
  private final Map<String, Set<Permission>> permissions;
  private final Map<String, String> callersByCertificateName;

  /**
   * @param permissions permissions by caller name
   * @param callersByCertificateName caller name by certificate identity
   */
  Authenticator(
      CallerTokens tokens,
      Map<String, Set<Permission>> permissions,
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
        return new Result(null, RefusalReason.MALFORMED_HEADER, "token", "-");
      }
      String token = authorization.substring(BEARER.length()).trim();
      Optional<CallerTokens.Match> match = tokens.match(token);
      if (match.isEmpty()) {
        return new Result(null, RefusalReason.UNKNOWN_TOKEN, "token", TokenId.of(token));
      }
      return Result.of(caller(match.get().caller(), "token", match.get().tokenId()));
    }
    CertificateIdentity identity =
        certificateIdentity(transport.get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
    if (identity == null) {
      return new Result(null, RefusalReason.MISSING_CREDENTIALS, "none", "-");
    }
    Set<String> callers = new TreeSet<>();
    for (String name : identity.names()) {
      String caller = callersByCertificateName.get(name);
      if (caller != null) {
        callers.add(caller);
      }
    }
    if (callers.size() > 1) {
      return new Result(null, RefusalReason.AMBIGUOUS_CERTIFICATE, "mtls", identity.serial());
    }
    if (callers.isEmpty()) {
      return new Result(null, RefusalReason.UNKNOWN_CERTIFICATE, "mtls", identity.serial());
    }
    return Result.of(caller(callers.iterator().next(), "mtls", identity.serial()));
  }

  private Caller caller(String name, String method, String credentialId) {
    return new Caller(name, permissions.getOrDefault(name, Set.of()), method, credentialId);
  }

  /**
   * The names and serial of a verified client certificate, or {@code null} without one. With a SAN
   * extension: its DNS names and URIs (invalid SPIFFE IDs left out); without: the subject's CNs.
   */
  static CertificateIdentity certificateIdentity(SSLSession session) {
    if (session == null) {
      return null;
    }
    Certificate[] chain;
    try {
      chain = session.getPeerCertificates();
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
    if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
      return null;
    }
    return new CertificateIdentity(names(leaf), leaf.getSerialNumber().toString(16));
  }

  /** The identities of {@code leaf}: SAN DNS and URI names if it has SANs, else its CNs. */
  static List<String> names(X509Certificate leaf) {
    List<String> names = new ArrayList<>();
    Collection<List<?>> sans;
    try {
      sans = leaf.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return names; // unparseable SANs: name nobody (never fall back to the CN)
    }
    if (sans != null && !sans.isEmpty()) {
      for (List<?> san : sans) {
        int type = (Integer) san.get(0);
        String value = String.valueOf(san.get(1));
        if (type == 2 || (type == 6 && (!SpiffeId.claims(value) || SpiffeId.isValid(value)))) {
          names.add(value); // dNSName, uniformResourceIdentifier
        }
      }
      return names;
    }
    try {
      for (Rdn rdn : new LdapName(leaf.getSubjectX500Principal().getName()).getRdns()) {
        if ("CN".equalsIgnoreCase(rdn.getType())) {
          names.add(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      // no CN
    }
    return names;
  }
}
