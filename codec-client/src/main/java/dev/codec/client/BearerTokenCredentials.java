package dev.codec.client;

import io.grpc.CallCredentials;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.SecurityLevel;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Sends {@code authorization: Bearer <token>} on every call. The token is either fixed or read from
 * a file that is re-read whenever it changes (its inode, modification time or size), so a rotated
 * token (for example a Kubernetes Secret update, which swaps a symlink) is used without a restart.
 * Reading costs one {@code stat} per call while the file is unchanged.
 *
 * <p>The token is only sent over TLS, or over plaintext to a loopback address (or a non-IP local
 * transport), unless insecure sending was allowed: otherwise the call fails locally with {@code
 * UNAUTHENTICATED} before the token leaves the process.
 *
 * <p>A missing, unreadable or empty token file fails the call locally with {@code UNAUTHENTICATED}
 * naming the file. The token never appears in {@link #toString()}, logs or exception messages.
 */
final class BearerTokenCredentials extends CallCredentials {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final String fixedToken;
  private final Path tokenFile;
  private final boolean allowInsecure;
  private volatile CachedToken cached;

  private record CachedToken(Object fileKey, FileTime modified, long size, String token) {
    @Override
    public String toString() {
      return "CachedToken[modified=" + modified + "]";
    }
  }

  private BearerTokenCredentials(String fixedToken, Path tokenFile, boolean allowInsecure) {
    this.fixedToken = fixedToken;
    this.tokenFile = tokenFile;
    this.allowInsecure = allowInsecure;
  }

  /**
   * The same token source, allowed (or not) to send the token over plaintext to a remote address.
   */
  BearerTokenCredentials allowingInsecure(boolean allow) {
    return new BearerTokenCredentials(fixedToken, tokenFile, allow);
  }

  static BearerTokenCredentials fixed(String token) {
    String trimmed = Objects.requireNonNull(token, "token").strip();
    String problem = problem(trimmed);
    if (problem != null) {
      throw new IllegalArgumentException("token " + problem);
    }
    return new BearerTokenCredentials(trimmed, null, false);
  }

  static BearerTokenCredentials fromFile(Path tokenFile) {
    return new BearerTokenCredentials(null, Objects.requireNonNull(tokenFile, "tokenFile"), false);
  }

  @Override
  public void applyRequestMetadata(
      RequestInfo requestInfo, Executor appExecutor, MetadataApplier applier) {
    if (!allowInsecure && requestInfo.getSecurityLevel() != SecurityLevel.PRIVACY_AND_INTEGRITY) {
      SocketAddress remote = requestInfo.getTransportAttrs().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      if (!isLocal(remote)) {
        applier.fail(
            Status.UNAUTHENTICATED.withDescription(
                "refusing to send the token without TLS to "
                    + requestInfo.getAuthority()
                    + " ("
                    + remote
                    + "): turn on TLS (trustCertificates, --ca-file)"
                    + " or, on a trusted network only, allowInsecure(true) (--allow-insecure, CODEC_ALLOW_INSECURE)"));
        return;
      }
    }
    if (fixedToken != null) {
      applier.apply(header(fixedToken));
      return;
    }
    // file I/O off the transport thread
    appExecutor.execute(
        () -> {
          String token;
          try {
            token = currentToken();
          } catch (InvalidTokenException e) {
            applier.fail(
                Status.UNAUTHENTICATED.withDescription(
                    "token file " + tokenFile + " " + e.getMessage()));
            return;
          } catch (java.nio.file.NoSuchFileException e) {
            applier.fail(
                Status.UNAUTHENTICATED.withDescription(
                    "token file " + tokenFile + " does not exist"));
            return;
          } catch (IOException | RuntimeException e) {
            applier.fail(
                Status.UNAUTHENTICATED.withDescription(
                    "token file "
                        + tokenFile
                        + " cannot be read ("
                        + e.getClass().getSimpleName()
                        + ")"));
            return;
          }
          applier.apply(header(token));
        });
  }

  /**
   * Whether a plaintext connection to {@code remote} stays on this machine: a loopback IP address,
   * or a transport that is not IP at all (in-process, Unix domain socket). An unknown address is
   * remote.
   */
  static boolean isLocal(SocketAddress remote) {
    if (remote instanceof InetSocketAddress inet) {
      return inet.getAddress() != null && inet.getAddress().isLoopbackAddress();
    }
    return remote != null;
  }

  /** The token, read again only if the file changed since the last read. */
  String currentToken() throws IOException {
    if (fixedToken != null) {
      return fixedToken;
    }
    BasicFileAttributes attributes = Files.readAttributes(tokenFile, BasicFileAttributes.class);
    CachedToken current = cached;
    if (current != null
        && Objects.equals(current.fileKey(), attributes.fileKey())
        && current.modified().equals(attributes.lastModifiedTime())
        && current.size() == attributes.size()) {
      return current.token();
    }
    String token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    String problem = problem(token);
    if (problem != null) {
      throw new InvalidTokenException(problem);
    }
    cached =
        new CachedToken(
            attributes.fileKey(), attributes.lastModifiedTime(), attributes.size(), token);
    return token;
  }

  private static Metadata header(String token) {
    Metadata metadata = new Metadata();
    metadata.put(AUTHORIZATION, "Bearer " + token);
    return metadata;
  }

  /** Why {@code token} cannot be sent as one header value, or null; never contains the token. */
  private static String problem(String token) {
    if (token.isEmpty()) {
      return "is empty";
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return "contains a character that is not printable ASCII";
      }
    }
    return null;
  }

  /** A token file whose content cannot be a token; the message says why without showing it. */
  static final class InvalidTokenException extends IOException {
    private static final long serialVersionUID = 1L;

    InvalidTokenException(String message) {
      super(message);
    }
  }

  @Override
  public String toString() {
    return fixedToken != null ? "BearerToken[fixed]" : "BearerToken[file=" + tokenFile + "]";
  }
}
