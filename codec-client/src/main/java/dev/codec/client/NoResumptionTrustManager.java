package dev.codec.client;

import java.lang.reflect.Method;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A client trust manager that turns TLS session resumption off, whatever the transport: every
 * session whose server certificate it is asked to verify (each full handshake) is invalidated
 * before the verification, so the TLS implementation does not keep it (nor its session tickets) for
 * a later connection. Every connection then makes a full handshake: it presents the client
 * certificate read last and verifies the server with the CA bundle read last.
 *
 * <p>Works with grpc-okhttp (the JDK's TLS, TLS 1.2 as grpc-okhttp negotiates it) and with
 * grpc-netty-shaded's BoringSSL, both of which then keep no session to resume; {@code
 * NoResumptionTest} holds it for the transport on the class path. Not with grpc-netty-shaded on the
 * JDK's TLS 1.3 (where netty-tcnative is not available for the platform): the JDK stores a copy of
 * the session made from the server's ticket, which this never sees (docs/known-gaps.md). The
 * verification itself is the delegate's.
 */
final class NoResumptionTrustManager extends X509ExtendedTrustManager {
  private final X509ExtendedTrustManager delegate;

  NoResumptionTrustManager(X509ExtendedTrustManager delegate) {
    this.delegate = delegate;
  }

  /** The JDK's default trust manager (the {@code cacerts} store, host name verification). */
  static X509ExtendedTrustManager systemDefault() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509ExtendedTrustManager extended) {
        return extended;
      }
    }
    throw new GeneralSecurityException("the JDK has no default X509ExtendedTrustManager");
  }

  private static void forget(SSLSession session) {
    if (session == null) {
      return;
    }
    session.invalidate();
    SSLSessionContext context = session.getSessionContext();
    if (context != null) {
      disableCache(context);
    }
  }

  /**
   * Netty's OpenSSL (BoringSSL) engine stores the session it makes from the server's session ticket
   * after the handshake, not the one invalidated above, in its client session cache: that cache has
   * a switch, {@code OpenSslSessionContext.setSessionCacheEnabled(false)}, called here by name so
   * that codec-client names no transport. The JDK's handshake session has no context yet (null),
   * and the JDK never stores an invalidated session.
   */
  private static void disableCache(SSLSessionContext context) {
    Method off;
    try {
      off = context.getClass().getMethod("setSessionCacheEnabled", boolean.class);
    } catch (NoSuchMethodException e) {
      return;
    }
    try {
      off.invoke(context, false);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "cannot turn off TLS session resumption of " + context.getClass().getName(), e);
    }
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    forget(engine == null ? null : engine.getHandshakeSession());
    delegate.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    if (socket instanceof SSLSocket ssl) {
      forget(ssl.getHandshakeSession());
    }
    delegate.checkServerTrusted(chain, authType, socket);
  }

  /**
   * Refused: without the connection there is neither a host name to verify nor a session to forget.
   * The JDK, Netty and OkHttp call the forms above for an {@link X509ExtendedTrustManager}.
   */
  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("server verification needs the connection (host name)");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("a client trust manager verifies servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a client trust manager verifies servers only");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a client trust manager verifies servers only");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return delegate.getAcceptedIssuers();
  }
}
