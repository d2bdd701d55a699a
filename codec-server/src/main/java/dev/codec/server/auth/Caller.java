package dev.codec.server.auth;

import java.util.Set;

/**
 * An authenticated caller.
 *
 * @param name the caller's name (token file name, or certificate identity)
 * @param permissions what it may do
 * @param method how it proved its identity: {@code token}, {@code mtls} or {@code none} (auth off)
 * @param credentialId which credential it used, safe to log: the {@link TokenId} of its token, the
 *     client certificate's serial number (hex), or {@code -}
 */
public record Caller(String name, Set<Permission> permissions, String method, String credentialId) {
  public Caller {
    permissions = Set.copyOf(permissions);
  }

  /** A caller without a credential id (auth off). */
  public Caller(String name, Set<Permission> permissions, String method) {
    this(name, permissions, method, "-");
  }

  public boolean may(Permission permission) {
    return permissions.contains(permission);
  }
}
